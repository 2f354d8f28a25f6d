package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import java.io.InputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = "Fetch an artifact and its provenance, check the digest and the builder's "
        + "signature, and print what the build says it did.")
final class VerifyCommand implements Runnable {

    @Mixin
    Context context;

    @Parameters(paramLabel = "DIGEST", description = "The artifact's digest, or its recipe's; 12 hex digits or more "
            + "of either will do, as the other commands print them")
    String artifact;

    @Override
    public void run() {
        // The service resolves a short or recipe digest; what is verified is the full digest it answers with.
        JsonNode known = context.release().get("api/artifacts/" + ReleaseApi.segment(artifact));
        Digest digest = parse(known.path("artifact").path("digest").asText());
        String provenanceDigest = known.path("artifact").path("provenance").asText(null);
        if (provenanceDigest == null) {
            throw new CliFailure(Exit.FAILED, digest + " has no provenance on record");
        }
        Store store = context.store();
        Progress progress = context.progress("downloading " + digest.hex().substring(0, 12),
                store.size(digest).orElse(0));
        store.call(() -> {
            // The store's reader hashes as it reads: bytes that are not the digest's fail before the end.
            try (InputStream in = progress.counting(store.open(digest))) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return null;
        });
        progress.finish();
        Provenance provenance;
        try {
            provenance = Provenance.verify(store.read(Digest.parse(provenanceDigest)), trusted());
        } catch (UntrustedProvenanceException e) {
            throw new CliFailure(Exit.FAILED, "the provenance of " + digest + " does not verify: " + e.getMessage());
        }
        if (!provenance.artifact().equals(digest)) {
            throw new CliFailure(Exit.FAILED, "the provenance " + provenanceDigest + " is about "
                    + provenance.artifact() + ", not " + digest);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("artifact", digest.toString());
        summary.put("verified", true);
        summary.put("recipe", provenance.recipe().toString());
        Map<String, String> inputs = new TreeMap<>();
        provenance.inputs().forEach((name, input) -> inputs.put(name, input.toString()));
        summary.put("inputs", inputs);
        summary.put("builder", provenance.builder());
        summary.put("hermetic", provenance.hermetic());
        summary.put("started", provenance.started());
        summary.put("finished", provenance.finished());
        if (provenance.chunkIndex() != null) {
            summary.put("chunkIndex", provenance.chunkIndex().toString());
        }
        StringBuilder lines = new StringBuilder(digest + ": digest and signature verify\n");
        lines.append("  recipe   ").append(provenance.recipe()).append('\n');
        inputs.forEach((name, input) -> lines.append("  input    ").append(name).append(" = ").append(input).append('\n'));
        lines.append("  builder  ").append(provenance.builder()).append('\n');
        if (provenance.chunkIndex() != null) {
            lines.append("  chunks   ").append(provenance.chunkIndex()).append(" (hosts fetch only what changed)\n");
        }
        lines.append("  hermetic ").append(provenance.hermetic() ? "yes" : "NO (built without a sandbox)");
        context.result(summary, lines.toString());
    }

    private Map<String, PublicKey> trusted() {
        String keys = context.settings().find(Settings.Key.TRUSTED_BUILDER_KEYS).orElseThrow(() -> new CliFailure(
                Exit.USAGE, "no trusted builder key: give the builders' public keys with "
                        + Settings.Key.TRUSTED_BUILDER_KEYS.spellings()));
        try {
            return BuilderKeys.trusted(Arrays.stream(keys.split(",")).map(String::trim).map(VerifyCommand::keyOrFile)
                    .toList());
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Exit.USAGE, "a trusted builder key does not parse: " + e.getMessage());
        }
    }

    /** A key as given, or the contents of the key file it names (what a person has: builder.pub). */
    private static String keyOrFile(String key) {
        Path file = Path.of(key);
        if (Files.isRegularFile(file)) {
            try {
                return Files.readString(file).strip();
            } catch (IOException e) {
                throw new CliFailure(Exit.USAGE, "cannot read the trusted key file " + key + ": " + e.getMessage());
            }
        }
        return key;
    }

    private static Digest parse(String text) {
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Exit.USAGE, e.getMessage());
        }
    }
}
