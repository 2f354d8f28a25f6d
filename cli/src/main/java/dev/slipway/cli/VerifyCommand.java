package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import java.io.InputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = "Fetch an artifact and its provenance, check the digest and every builder's "
        + "signature, print what the build says it did, and whether the agreement policy (--required) is met.")
final class VerifyCommand implements Runnable {

    @Mixin
    Context context;

    @Parameters(paramLabel = "DIGEST", description = "The artifact's digest, or its recipe's; 12 hex digits or more "
            + "of either will do, as the other commands print them")
    String artifact;

    @Option(names = "--required", paramLabel = "N", description = "How many distinct trusted builders must each have "
            + "signed provenance of the artifact: the set's agreement policy, as its agents require it (default 1)")
    int required = 1;

    /** One builder's signed provenance of the artifact, and what checking it found. */
    private record Signature(String builder, String key, Digest envelope, Provenance provenance, String problem) {

        boolean verifies() {
            return problem == null;
        }
    }

    @Override
    public void run() {
        if (required < 1) {
            throw new CliFailure(Exit.USAGE, "--required must be at least 1, not " + required);
        }
        // The service resolves a short or recipe digest; what is verified is the full digest it answers with.
        JsonNode known = context.release().get("api/artifacts/" + ReleaseApi.segment(artifact));
        Digest digest = parse(known.path("artifact").path("digest").asText());
        String provenanceDigest = known.path("artifact").path("provenance").asText(null);
        String recipe = known.path("artifact").path("recipe").asText(null);
        if (provenanceDigest == null || recipe == null) {
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
        Map<String, PublicKey> trusted = trusted();
        Digest recorded = Digest.parse(provenanceDigest);
        // Any one verifying envelope of the artifact tells what the build did; the policy counts them all, so the
        // envelope the store recorded first need not be one the caller trusts.
        List<Signature> signatures = signatures(store, parse(recipe), digest, recorded, trusted);
        Provenance provenance = signatures.stream().filter(Signature::verifies).map(Signature::provenance)
                .findFirst().orElseThrow(() -> new CliFailure(Exit.FAILED, "no provenance of " + digest
                        + " verifies with the trusted keys: " + signatures.stream()
                                .map(signature -> signature.builder() + ": " + signature.problem())
                                .reduce((a, b) -> a + "; " + b).orElse("none on record")));
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
        lines.append("  hermetic ").append(provenance.hermetic() ? "yes" : "NO (built without a sandbox)").append('\n');
        List<Map<String, Object>> signed = new ArrayList<>();
        for (Signature signature : signatures) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("builder", signature.builder());
            one.put("key", signature.key());
            one.put("provenance", signature.envelope().toString());
            one.put("verifies", signature.verifies());
            if (signature.problem() != null) {
                one.put("problem", signature.problem());
            }
            signed.add(one);
            lines.append("  signed   ").append(signature.builder()).append(" with key ")
                    .append(signature.key() == null ? "(none trusted)" : shortKey(signature.key())).append(": ")
                    .append(signature.verifies() ? "verifies" : "does NOT count: " + signature.problem()).append('\n');
        }
        long distinct = signatures.stream().filter(Signature::verifies).map(Signature::key).distinct().count();
        boolean met = distinct >= required;
        summary.put("signatures", signed);
        summary.put("policy", Map.of("required", required, "signedBy", distinct, "met", met));
        lines.append("  policy   ").append(distinct).append(" of the ").append(required)
                .append(" required trusted builders signed: ").append(met ? "met" : "NOT met");
        context.result(summary, lines.toString());
        if (!met) {
            throw new CliFailure(Exit.FAILED, "only " + distinct + " distinct trusted builders signed provenance of "
                    + digest + ", " + required + " required: a host with this policy will not install it");
        }
    }

    /**
     * Every builder's provenance of the artifact that the store holds a claim for, each checked against the
     * trusted keys: a key counts once, however many envelopes it signed.
     */
    private static List<Signature> signatures(Store store, Digest recipe, Digest artifact, Digest recorded,
            Map<String, PublicKey> trusted) {
        // Each envelope by the builder its claim names, until its signature says who it is.
        Map<Digest, String> provenances = new LinkedHashMap<>();
        store.flagsOf(recipe).claims().values().stream().filter(claim -> claim.artifact().equals(artifact))
                .sorted(Comparator.comparing(Flags.Claim::builder))
                .forEach(claim -> provenances.put(claim.provenance(), claim.builder()));
        provenances.putIfAbsent(recorded, "?");
        List<Signature> signatures = new ArrayList<>();
        Set<String> counted = new HashSet<>();
        for (Digest digest : provenances.keySet()) {
            try {
                Provenance.Signed signed = Provenance.verifySigned(store.read(digest), trusted);
                Provenance provenance = signed.provenance();
                if (!provenance.artifact().equals(artifact) || !provenance.recipe().equals(recipe)) {
                    signatures.add(new Signature(provenance.builder(), signed.signers().first(), digest, null,
                            "it is provenance of " + provenance.artifact() + " from recipe " + provenance.recipe()));
                    continue;
                }
                for (String key : signed.signers()) {
                    signatures.add(new Signature(provenance.builder(), key, digest, provenance, counted.add(key)
                            ? null : "this key already signed another provenance of it"));
                }
            } catch (UntrustedProvenanceException e) {
                signatures.add(new Signature(provenances.get(digest), null, digest, null, e.getMessage()));
            }
        }
        return signatures;
    }

    private static String shortKey(String keyId) {
        return keyId.substring(0, Math.min(keyId.length(), 19)) + "...";
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
