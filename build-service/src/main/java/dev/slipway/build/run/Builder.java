package dev.slipway.build.run;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.build.sandbox.Sandbox;
import dev.slipway.cas.action.ActionCache;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import dev.slipway.cas.archive.ReproducibleTar;
import dev.slipway.cas.archive.SafeUntar;
import dev.slipway.cas.archive.UnsafeArchiveException;
import dev.slipway.cas.blob.BlobNotFoundException;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.chunk.ChunkIndex;
import dev.slipway.cas.digest.CorruptBlobException;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import dev.slipway.cas.provenance.Dsse;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.events.recipe.InvalidRecipeException;
import dev.slipway.events.recipe.Recipe;
import dev.slipway.events.recipe.RecipeJson;
import dev.slipway.events.wire.EventJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Turns a recipe digest into an artifact digest: fetch and verify the recipe and every input, unpack them
 * safely, run the steps in the sandbox, pack the declared outputs reproducibly, store artifact, its chunk index,
 * log and signed provenance, and remember the result in the action cache. Whatever happens, the build's
 * directory is deleted before {@link #build} returns. Thread-safe: each build has its own directory.
 */
public final class Builder {

    private static final Logger LOG = Logger.getLogger(Builder.class);
    private static final ObjectMapper JSON = EventJson.mapper();
    private static final long MAX_RECIPE_SIZE = 1024 * 1024;
    private static final int MAX_PROVENANCE_SIZE = 4 * 1024 * 1024;

    /** How this builder names itself and where it works. */
    /** @param maxBuildTime how long the steps of one build may take together */
    public record Settings(String builderId, Path workRoot, SafeUntar.Limits inputLimits, boolean actionCache,
            Duration maxBuildTime) {
    }

    private final Settings settings;
    private final BlobStore store;
    private final ActionCache cache;
    private final Sandbox sandbox;
    private final KeyPair signingKey;
    private final Clock clock;

    public Builder(Settings settings, BlobStore store, ActionCache cache, Sandbox sandbox, KeyPair signingKey,
            Clock clock) {
        this.settings = settings;
        this.store = store;
        this.cache = cache;
        this.sandbox = sandbox;
        this.signingKey = signingKey;
        this.clock = clock;
    }

    /** False only when the operator configured builds without a sandbox. */
    public boolean hermetic() {
        return sandbox.hermetic();
    }

    /**
     * @param invocation the request's event id, recorded in the provenance
     */
    public Outcome build(Digest recipeDigest, String invocation) {
        Path root = null;
        Path log = null;
        try {
            Recipe recipe = fetchRecipe(recipeDigest);
            Optional<Outcome.Built> hit = settings.actionCache() ? cached(recipeDigest, recipe) : Optional.empty();
            if (hit.isPresent()) {
                return hit.get();
            }
            Files.createDirectories(settings.workRoot());
            root = Files.createTempDirectory(settings.workRoot(), "build-");
            log = Files.createFile(root.resolve("build.log"));
            Instant started = clock.instant();
            Map<String, Path> mounts = fetchInputs(recipe, root.resolve("inputs"));
            Path work = Files.createDirectory(root.resolve("work"));
            Instant deadline = clock.instant().plus(settings.maxBuildTime());
            for (Recipe.Step step : recipe.steps()) {
                run(step, mounts, work, log, deadline);
            }
            Digest artifact = storeOutputs(recipe, work, root.resolve("artifact.tar"));
            Digest chunkIndex = storeChunks(artifact, root.resolve("artifact.tar"));
            Digest logDigest = storeFile(log);
            Map<String, Digest> inputs = new TreeMap<>();
            recipe.inputs().forEach((name, input) -> inputs.put(name, Digest.parse(input.digest())));
            Provenance provenance = new Provenance(artifact, recipeDigest, inputs, settings.builderId(),
                    sandbox.hermetic(), invocation, started, clock.instant(), logDigest, chunkIndex);
            Dsse.Envelope envelope = provenance.sign(signingKey.getPrivate(), signingKey.getPublic());
            byte[] signed = envelope.toJson();
            Digest provenanceDigest = Digest.of(signed);
            store.write(provenanceDigest, new ByteArrayInputStream(signed));
            Outcome.Built built = new Outcome.Built(artifact, recipeDigest, recipe.deploymentSet(), inputs,
                    provenanceDigest, envelope.signature(), logDigest, sandbox.hermetic(), false);
            if (settings.actionCache()) {
                cache.put(cacheKey(recipeDigest), JSON.writeValueAsBytes(built));
            }
            return built;
        } catch (BuildFailure failure) {
            return new Outcome.Failed(recipeDigest, failure.getMessage(), storeLogQuietly(log, failure),
                    sandbox.hermetic());
        } catch (IOException e) {
            BuildFailure failure = new BuildFailure("the builder could not use its disk or the store", e);
            return new Outcome.Failed(recipeDigest, failure.getMessage(), storeLogQuietly(log, failure),
                    sandbox.hermetic());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failed(recipeDigest, "the builder was stopped during the build", null,
                    sandbox.hermetic());
        } finally {
            Scrub.delete(root);
        }
    }

    /**
     * This builder's own entry for a recipe: builders that must agree share a store, and none may answer from
     * another's cache (its entry would not verify under this key anyway, and builders would overwrite each other).
     */
    private Digest cacheKey(Digest recipe) {
        return actionKey(signingKey.getPublic(), recipe);
    }

    /** Where the builder holding {@code key} keeps its action-cache entry of {@code recipe}. */
    static Digest actionKey(PublicKey key, Digest recipe) {
        return Digest.of(("slipway-action/" + BuilderKeys.keyId(key) + "/" + recipe).getBytes(UTF_8));
    }

    private Recipe fetchRecipe(Digest digest) throws BuildFailure {
        try (InputStream in = store.open(digest)) {
            byte[] bytes = in.readNBytes((int) MAX_RECIPE_SIZE + 1);
            if (bytes.length > MAX_RECIPE_SIZE) {
                throw new BuildFailure("recipe " + digest + " is larger than " + MAX_RECIPE_SIZE + " bytes");
            }
            in.transferTo(OutputStream.nullOutputStream());
            return RecipeJson.read(bytes);
        } catch (BlobNotFoundException e) {
            throw new BuildFailure("recipe " + digest + " is not in the store; upload it first");
        } catch (CorruptBlobException e) {
            throw new BuildFailure("recipe " + digest + " is corrupt in the store", e);
        } catch (InvalidRecipeException e) {
            throw new BuildFailure("recipe " + digest + ": " + String.join("; ", e.problems()));
        } catch (IOException e) {
            throw new BuildFailure("cannot read recipe " + digest + " from the store", e);
        }
    }

    /**
     * The cached result, when this builder signed it. Anyone with the builder role can write the action cache
     * (Bazel's protocol), so an entry is only a pointer: the hit is what the provenance it names says, verified
     * under this builder's own key, for this recipe, with its artifact in the store. Anything else builds again.
     */
    private Optional<Outcome.Built> cached(Digest recipeDigest, Recipe recipe) throws IOException {
        Optional<byte[]> entry = cache.get(cacheKey(recipeDigest));
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        Digest provenanceDigest;
        try {
            provenanceDigest = JSON.readValue(entry.get(), Outcome.Built.class).provenance();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("action cache entry of %s is unreadable, building again: %s", recipeDigest, e.getMessage());
            return Optional.empty();
        }
        if (provenanceDigest == null || !store.exists(provenanceDigest)) {
            return Optional.empty();
        }
        byte[] signed;
        try (InputStream in = store.open(provenanceDigest)) {
            signed = in.readNBytes(MAX_PROVENANCE_SIZE + 1);
        }
        Provenance provenance;
        String signature;
        try {
            if (signed.length > MAX_PROVENANCE_SIZE) {
                throw new UntrustedProvenanceException("larger than " + MAX_PROVENANCE_SIZE + " bytes");
            }
            provenance = Provenance.verify(signed, Map.of(BuilderKeys.keyId(signingKey.getPublic()),
                    signingKey.getPublic()));
            signature = Dsse.Envelope.parse(signed).signature();
        } catch (UntrustedProvenanceException e) {
            LOG.warnf("action cache entry of %s names provenance this builder did not sign (%s); building again",
                    recipeDigest, e.getMessage());
            return Optional.empty();
        }
        if (!provenance.recipe().equals(recipeDigest) || !store.exists(provenance.artifact())) {
            LOG.warnf("action cache entry of %s names provenance of recipe %s, or an artifact the store lost; "
                    + "building again", recipeDigest, provenance.recipe());
            return Optional.empty();
        }
        return Optional.of(new Outcome.Built(provenance.artifact(), recipeDigest, recipe.deploymentSet(),
                provenance.inputs(), provenanceDigest, signature, provenance.log(),
                provenance.hermetic(), true));
    }

    private Map<String, Path> fetchInputs(Recipe recipe, Path inputsRoot) throws BuildFailure, IOException {
        Map<String, Path> mounts = new LinkedHashMap<>();
        SafeUntar untar = new SafeUntar(settings.inputLimits());
        for (Map.Entry<String, Recipe.Input> input : new TreeMap<>(recipe.inputs()).entrySet()) {
            String what = "input '" + input.getKey() + "' (" + input.getValue().digest() + ")";
            Digest digest = Digest.parse(input.getValue().digest());
            Path place = inputsRoot.resolve(input.getKey());
            try (InputStream in = store.open(digest)) {
                if (input.getValue().kind() == Recipe.Kind.FILE) {
                    // The store bounds a blob's size: a file is as big as what was stored.
                    Files.createDirectories(inputsRoot);
                    Files.copy(in, place);
                    place.toFile().setReadOnly();
                } else {
                    untar.unpack(in, Files.createDirectories(place));
                    // The archive's end may come before the stream's: read the rest so the digest is checked.
                    in.transferTo(OutputStream.nullOutputStream());
                }
            } catch (BlobNotFoundException e) {
                throw new BuildFailure(what + " is not in the store; upload it first");
            } catch (DigestMismatchException e) {
                throw new BuildFailure(what + " does not match its digest in the store", e);
            } catch (IOException e) {
                throw new BuildFailure(what + " cannot be unpacked", e);
            }
            mounts.put(input.getValue().mount(), place);
        }
        return mounts;
    }

    /** Runs one step within its own timeout and what is left of the build's. */
    private void run(Recipe.Step step, Map<String, Path> mounts, Path work, Path log, Instant deadline)
            throws BuildFailure, IOException, InterruptedException {
        Duration left = Duration.between(clock.instant(), deadline);
        boolean buildBound = left.compareTo(step.timeout()) < 0;
        if (left.isNegative() || left.isZero()) {
            throw new BuildFailure("the build passed its max-build-time of " + settings.maxBuildTime()
                    + " before step '" + step.name() + "' (slipway.build.max-build-time)");
        }
        Files.writeString(log, "== step '" + step.name() + "': " + step.argv() + "\n", StandardOpenOption.APPEND);
        Sandbox.Result result;
        try {
            result = sandbox.run(buildBound ? new Recipe.Step(step.name(), step.argv(), step.env(), left) : step,
                    mounts, work, log);
        } catch (IOException e) {
            throw new BuildFailure("step '" + step.name() + "' could not start", e);
        }
        if (result instanceof Sandbox.Result.TimedOut) {
            throw new BuildFailure(buildBound
                    ? "step '" + step.name() + "' ran past the build's max-build-time of " + settings.maxBuildTime()
                            + " and was killed with every process it started (slipway.build.max-build-time)"
                    : "step '" + step.name() + "' passed its timeout of " + step.timeout()
                            + " and was killed with every process it started");
        }
        if (result instanceof Sandbox.Result.OverLimit over) {
            throw new BuildFailure("step '" + step.name() + "' " + over.what()
                    + " and was killed with every process it started");
        }
        int status = ((Sandbox.Result.Exited) result).status();
        if (status != 0) {
            throw new BuildFailure("step '" + step.name() + "' exited with status " + status + "; see the build log");
        }
    }

    private Digest storeOutputs(Recipe recipe, Path work, Path archive) throws BuildFailure, IOException {
        for (String output : recipe.outputs()) {
            if (!Files.exists(work.resolve(output), LinkOption.NOFOLLOW_LINKS)) {
                throw new BuildFailure("declared output '" + output + "' was not produced under /work");
            }
        }
        MessageDigest sha256 = Digest.sha256();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(archive), sha256)) {
            ReproducibleTar.pack(work, recipe.outputs(), out);
        } catch (UnsafeArchiveException e) {
            throw new BuildFailure("the outputs cannot be packed safely", e);
        }
        Digest artifact = new Digest(HexFormat.of().formatHex(sha256.digest()));
        try (InputStream in = Files.newInputStream(archive)) {
            store.write(artifact, in);
        }
        return artifact;
    }

    /** The artifact's chunk index, so hosts that run an earlier version fetch only the chunks that changed. */
    private Digest storeChunks(Digest artifact, Path archive) throws IOException {
        ChunkIndex.Stored stored = ChunkIndex.store(store, archive);
        if (stored == null) {
            LOG.warnf("%s is too large for a chunk index: hosts will download it whole", artifact);
            return null;
        }
        if (!stored.index().whole().equals(artifact)) {
            throw new IOException("the archive changed while it was stored: it was " + artifact + ", its chunks make "
                    + stored.index().whole());
        }
        return stored.digest();
    }

    private Digest storeFile(Path file) throws IOException {
        Digest digest;
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha256 = Digest.sha256();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
            digest = new Digest(HexFormat.of().formatHex(sha256.digest()));
        }
        try (InputStream in = Files.newInputStream(file)) {
            store.write(digest, in);
        }
        return digest;
    }

    private Digest storeLogQuietly(Path log, BuildFailure failure) {
        if (log == null) {
            return null;
        }
        try {
            Files.writeString(log, "== build failed: " + failure.getMessage() + "\n", UTF_8, StandardOpenOption.APPEND);
            return storeFile(log);
        } catch (IOException e) {
            LOG.warnf("cannot store the log of a failed build: %s", e.getMessage());
            return null;
        }
    }
}
