package dev.slipway.agent.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.host.Generations;
import dev.slipway.cas.archive.ReproducibleTar;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.blob.CountingBlobStore;
import dev.slipway.cas.chunk.ChunkIndex;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.events.recipe.InvalidRecipeException;
import dev.slipway.events.recipe.RecipeJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host that runs one version fetches, of the next, only the chunks it lacks; whatever goes wrong, it still installs. */
class DeltaInstallTest {

    private static final KeyPair BUILDER = BuilderKeys.generate();
    private static final int PAYLOAD = 8 * 1024 * 1024;

    @TempDir
    Path root;

    private BlobStoreFileSystem store;
    private CountingBlobStore counting;
    private FlagStoreFileSystem flags;
    private Generations generations;
    private Preparation preparation;
    private final byte[] payload = new byte[PAYLOAD];

    @BeforeEach
    void host() throws IOException {
        store = new BlobStoreFileSystem(root.resolve("store"));
        flags = new FlagStoreFileSystem(root.resolve("store"));
        generations = new Generations(root.resolve("host"), 2);
        counting = new CountingBlobStore(store);
        preparation = new Preparation(counting, flags, generations,
                Map.of(BuilderKeys.keyId(BUILDER.getPublic()), BUILDER.getPublic()));
        new Random(1).nextBytes(payload);
    }

    @Test
    void theNextVersionCostsTheChunksAroundItsEditsAndInstallsByteForByte() throws IOException {
        Release v1 = release("v1", true);
        run(v1);
        edit(PAYLOAD / 3, 3000);
        Release v2 = release("v2", true);

        long fetched = prepare(v2);

        assertTrue(fetched < PAYLOAD / 10, "fetched " + fetched + " bytes of an artifact of " + PAYLOAD);
        assertInstalledAsReleased(v2);
    }

    @Test
    void aHostWithNothingInstalledFetchesTheArtifactWhole() throws IOException {
        Release v1 = release("v1", true);

        long fetched = prepare(v1);

        assertTrue(fetched >= PAYLOAD && fetched < PAYLOAD + PAYLOAD / 100, "fetched " + fetched);
        assertInstalledAsReleased(v1);
    }

    @Test
    void aDamagedArchiveOfTheRunningVersionCostsTheChunksItDamaged() throws IOException {
        run(release("v1", true));
        damage(generations.archives().get(0).file());
        edit(PAYLOAD / 2, 100);
        Release v2 = release("v2", true);

        long fetched = prepare(v2);

        assertTrue(fetched > 0 && fetched < PAYLOAD / 10, "the damaged chunk does not hash to one v2 names: " + fetched);
        assertInstalledAsReleased(v2);
    }

    @Test
    void anArchiveDamagedAfterItWasIndexedFailsTheAssemblyAndTheArtifactComesWhole() throws IOException {
        run(release("v1", true));
        edit(PAYLOAD / 2, 100);
        prepare(release("v2", true));
        damage(generations.archives().get(0).file());
        edit(PAYLOAD / 4, 100);
        Release v3 = release("v3", true);

        long fetched = prepare(v3);

        assertTrue(fetched > PAYLOAD, "assembled bytes that failed the digest, then the whole artifact: " + fetched);
        assertInstalledAsReleased(v3);
    }

    @Test
    void aReleaseWithoutChunksInstallsWhole() throws IOException {
        run(release("v1", true));
        edit(0, 10);
        Release v2 = release("v2", false);

        assertTrue(prepare(v2) >= PAYLOAD);
        assertInstalledAsReleased(v2);
    }

    @Test
    void aChunkIndexOfAnotherArtifactIsIgnored() throws IOException {
        Release v1 = release("v1", true);
        run(v1);
        edit(10, 10);
        Release v2 = release("v2", v1.chunkIndex());

        assertTrue(prepare(v2) >= PAYLOAD);
        assertInstalledAsReleased(v2);
    }

    @Test
    void aHostThatRequiresTwoBuildersInstallsOnlyWhatTwoDistinctTrustedKeysSigned() throws IOException {
        KeyPair second = BuilderKeys.generate();
        Preparation strict = new Preparation(counting, flags, generations, Map.of(
                BuilderKeys.keyId(BUILDER.getPublic()), BUILDER.getPublic(),
                BuilderKeys.keyId(second.getPublic()), second.getPublic()), 2);
        Release release = release("v1", true);

        Preparation.Outcome alone = strict.prepare(release.recipe().toString(), release.artifact().toString(), r -> { });
        claim("not-really-a-second-builder", release, signedBy(BUILDER, release));
        Preparation.Outcome sameKeyTwice = strict.prepare(release.recipe().toString(), release.artifact().toString(),
                r -> { });
        claim("outsider", release, signedBy(BuilderKeys.generate(), release));
        Preparation.Outcome withAnOutsider = strict.prepare(release.recipe().toString(), release.artifact().toString(),
                r -> { });
        claim("second", release, signedBy(second, release));
        Preparation.Outcome agreed = strict.prepare(release.recipe().toString(), release.artifact().toString(),
                r -> { });

        for (Preparation.Outcome refused : List.of(alone, sameKeyTwice, withAnOutsider)) {
            assertTrue(refused instanceof Preparation.Outcome.Refused r
                    && r.why().startsWith("only 1 of the 2 builders this host requires"), refused.toString());
        }
        assertInstanceOf(Preparation.Outcome.Ready.class, agreed, agreed.toString());
        assertInstalledAsReleased(release);
    }

    private record Release(Digest recipe, Digest artifact, Digest chunkIndex, Path tree) {
    }

    private Release release(String version, boolean chunked) throws IOException {
        return release(version, chunked ? Digest.of(new byte[0]) : null);
    }

    /** @param chunkIndex the index the provenance names: the empty digest for this artifact's own, null for none */
    private Release release(String version, Digest chunkIndex) throws IOException {
        Path tree = Files.createDirectories(root.resolve("src-" + version + "/www"));
        Files.write(tree.resolve("payload"), payload);
        Files.writeString(tree.resolve("version"), version);
        Path tar = root.resolve(version + ".tar");
        try (var out = Files.newOutputStream(tar)) {
            ReproducibleTar.pack(tree.getParent(), List.of("www"), out);
        }
        Digest artifact = put(Files.readAllBytes(tar));
        if (chunkIndex != null && chunkIndex.equals(Digest.of(new byte[0]))) {
            chunkIndex = ChunkIndex.store(store, tar).digest();
        }
        Digest recipe;
        try {
            recipe = put(RecipeJson.canonical("""
                    {"deploymentSet": "set", "inputs": {}, "outputs": ["www"],
                     "steps": [{"name": "none", "argv": ["/bin/true", "%s"], "env": {}, "timeout": "PT1M"}],
                     "rollout": {"maxUnavailable": 1, "failureTolerance": 0, "slotDeadline": "PT1M",
                                 "drainTimeout": "PT2S", "canaryHosts": [],
                                 "health": {"url": "http://127.0.0.1:1/health", "timeout": "PT1S", "retries": 1,
                                            "deadline": "PT2S"}}}
                    """.formatted(version).getBytes(UTF_8)));
        } catch (InvalidRecipeException e) {
            throw new IllegalStateException(e);
        }
        Release release = new Release(recipe, artifact, chunkIndex, tree.getParent());
        Digest signed = signedBy(BUILDER, release);
        flags.update(recipe, f -> f.withBuilt(new Flags.Built(artifact, signed, "set", "test", Instant.now())));
        return release;
    }

    /** Provenance of the release signed by {@code builder}, stored; its digest. */
    private Digest signedBy(KeyPair builder, Release release) throws IOException {
        Instant now = Instant.now();
        Provenance provenance = new Provenance(release.artifact(), release.recipe(), Map.of(), "builder-test", true,
                "test", now, now, put(("log of " + BuilderKeys.keyId(builder.getPublic())).getBytes(UTF_8)),
                release.chunkIndex());
        return put(provenance.sign(builder.getPrivate(), builder.getPublic()).toJson());
    }

    /** What the store records when {@code builder} (as the store names it) built the release. */
    private void claim(String builder, Release release, Digest provenance) throws IOException {
        flags.update(release.recipe(), f -> f.withClaim(builder, new Flags.Claim(release.artifact(), provenance,
                builder, "event-" + provenance.hex(), Instant.now())));
    }

    private void run(Release release) throws IOException {
        prepare(release);
        generations.switchTo(release.artifact(), Set.of());
    }

    /** Prepares the release as the agent does; the artifact's bytes the store served for it. */
    private long prepare(Release release) throws IOException {
        long before = counting.bytesRead();
        Preparation.Outcome outcome = preparation.prepare(release.recipe().toString(), release.artifact().toString(),
                recipe -> { });
        assertInstanceOf(Preparation.Outcome.Ready.class, outcome, outcome.toString());
        return counting.bytesRead() - before;
    }

    private static void damage(Path archive) throws IOException {
        byte[] damaged = Files.readAllBytes(archive);
        damaged[damaged.length / 3] ^= 1;
        Files.write(archive, damaged);
    }

    private void edit(int at, int length) {
        byte[] edit = new byte[length];
        new Random(at).nextBytes(edit);
        System.arraycopy(edit, 0, payload, at, length);
    }

    private void assertInstalledAsReleased(Release release) throws IOException {
        Path installed = root.resolve("host/store/sha256-" + release.artifact().hex());
        assertArrayEquals(Files.readAllBytes(release.tree().resolve("www/payload")),
                Files.readAllBytes(installed.resolve("www/payload")));
    }

    private Digest put(byte[] bytes) throws IOException {
        Digest digest = Digest.of(bytes);
        store.write(digest, new ByteArrayInputStream(bytes));
        return digest;
    }
}
