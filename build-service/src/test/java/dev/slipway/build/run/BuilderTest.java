package dev.slipway.build.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.build.sandbox.Bubblewrap;
import dev.slipway.build.sandbox.Sandbox;
import dev.slipway.build.sandbox.StepLimits;
import dev.slipway.cas.action.ActionCacheFileSystem;
import java.time.Duration;
import java.time.Instant;
import dev.slipway.cas.archive.SafeUntar;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import java.io.ByteArrayInputStream;
import dev.slipway.cas.chunk.ChunkIndex;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Provenance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real builds: bubblewrap, Debian's static busybox as the toolchain, a filesystem store. No Kafka here. */
class BuilderTest {

    static final KeyPair KEY = BuilderKeys.generate();

    @TempDir
    Path temp;

    BlobStoreFileSystem store;
    BuildInputs inputs;
    Path workRoot;
    AtomicInteger stepsRun = new AtomicInteger();
    Digest toolchain;
    Digest src;

    @BeforeEach
    void createStore() throws IOException {
        store = new BlobStoreFileSystem(temp.resolve("store"));
        inputs = new BuildInputs(store, Files.createDirectory(temp.resolve("scratch")));
        workRoot = temp.resolve("builds");
        toolchain = inputs.busybox();
        src = inputs.tree(Map.of("greeting.txt", "hello\n", "lib/util.txt", "util\n"));
    }

    @AfterEach
    void everyBuildDirectoryIsGone() throws IOException {
        if (Files.exists(workRoot)) {
            try (Stream<Path> left = Files.list(workRoot)) {
                assertEquals(List.of(), left.toList(), "build directories left behind");
            }
        }
    }

    /** What the next builders allow; a test of the limits narrows them. */
    private Duration maxBuildTime = Duration.ofMinutes(10);
    private StepLimits limits = StepLimits.DEFAULT;

    Builder builder(boolean actionCache) throws IOException {
        Sandbox bubblewrap = Bubblewrap.find(Path.of("/usr/bin/bwrap"), limits);
        assertTrue(bubblewrap instanceof Bubblewrap, "bubblewrap must be installed for these tests (.ci/run installs it)");
        Sandbox counting = new Sandbox() {
            @Override
            public boolean hermetic() {
                return bubblewrap.hermetic();
            }

            @Override
            public Result run(dev.slipway.events.recipe.Recipe.Step step, Map<String, Path> mounts, Path work, Path log)
                    throws IOException, InterruptedException {
                stepsRun.incrementAndGet();
                return bubblewrap.run(step, mounts, work, log);
            }
        };
        return new Builder(new Builder.Settings("builder-test", workRoot, SafeUntar.Limits.DEFAULT, actionCache,
                maxBuildTime),
                store, new ActionCacheFileSystem(temp.resolve("store/ac")), counting, KEY, Clock.systemUTC());
    }

    @Test
    void buildsTheDeclaredOutputsFromTheInputsAndSignsWhatItDid() throws Exception {
        Digest recipe = inputs.recipe(toolchain, src, "PT30S",
                "mkdir -p out && cp /src/greeting.txt out/ && echo built > out/status");

        Outcome.Built built = assertInstanceOf(Outcome.Built.class, builder(true).build(recipe, "request-1"));

        assertEquals(Map.of("out/", "", "out/greeting.txt", "hello\n", "out/status", "built\n"), unpack(built.artifact()));
        assertFalse(built.cacheHit());
        assertTrue(built.hermetic());
        Provenance provenance = Provenance.verify(read(built.provenance()),
                BuilderKeys.trusted(List.of(BuilderKeys.encode(KEY.getPublic()))));
        assertEquals(built.artifact(), provenance.artifact());
        assertEquals(recipe, provenance.recipe());
        assertEquals(Map.of("toolchain", toolchain, "src", src), provenance.inputs());
        assertTrue(provenance.hermetic());
        assertTrue(new String(read(built.log()), UTF_8).contains("== step 'step-1'"));
        ChunkIndex chunks = ChunkIndex.parse(new ByteArrayInputStream(read(provenance.chunkIndex())));
        assertEquals(built.artifact(), chunks.whole(), "the index the provenance names is the artifact's");
        byte[] artifact = read(built.artifact());
        long[] offsets = chunks.offsets();
        for (int i = 0; i < offsets.length; i++) {
            ChunkIndex.Chunk chunk = chunks.chunks().get(i);
            assertEquals(chunk.digest(), Digest.of(Arrays.copyOfRange(artifact, (int) offsets[i],
                    (int) offsets[i] + chunk.length())));
        }
        assertEquals(artifact.length, chunks.size());
    }

    @Test
    void anUnsandboxedBuildWorksAndSaysEverywhereThatItWasNotHermetic() throws Exception {
        Digest recipe = inputs.recipe(toolchain, src, "PT30S",
                "mkdir -p /work/out && cp /src/greeting.txt out/ && echo built > out/status");
        Builder unsandboxed = new Builder(new Builder.Settings("builder-test", workRoot, SafeUntar.Limits.DEFAULT,
                false, maxBuildTime), store, new ActionCacheFileSystem(temp.resolve("store/ac")),
                new dev.slipway.build.sandbox.Unsandboxed(), KEY, Clock.systemUTC());

        Outcome.Built built = assertInstanceOf(Outcome.Built.class, unsandboxed.build(recipe, "request-1"));

        assertFalse(built.hermetic());
        assertFalse(unsandboxed.hermetic());
        assertEquals(Map.of("out/", "", "out/greeting.txt", "hello\n", "out/status", "built\n"), unpack(built.artifact()));
        Provenance provenance = Provenance.verify(read(built.provenance()),
                BuilderKeys.trusted(List.of(BuilderKeys.encode(KEY.getPublic()))));
        assertFalse(provenance.hermetic());
    }

    @Test
    void insideABuildThereIsNoNetworkNoHostEnvironmentAndNoHostFile() throws Exception {
        Path secret = Files.writeString(temp.resolve("host-secret.txt"), "do not read");
        try (ServerSocket listening = new ServerSocket(0)) {
            listening.setSoTimeout(1);
            Digest recipe = inputs.recipe(toolchain, src, "PT30S", """
                    mkdir -p out
                    env | sort > out/env
                    if echo hi | nc -w 2 127.0.0.1 %d; then echo connected > out/net; else echo refused > out/net; fi
                    if cat %s; then echo read > out/file; else echo unreadable > out/file; fi
                    """.formatted(listening.getLocalPort(), secret));

            Outcome.Built built = assertInstanceOf(Outcome.Built.class, builder(false).build(recipe, "request-1"));

            Map<String, String> out = unpack(built.artifact());
            assertEquals("refused\n", out.get("out/net"));
            assertEquals("unreadable\n", out.get("out/file"));
            assertEquals(Set.of("LANG=C", "PATH=/toolchain/bin", "PWD=/work", "SHLVL=1"),
                    Set.of(out.get("out/env").strip().split("\n")), "only the recipe's variables, plus the shell's own");
            assertTrue(System.getenv().containsKey("HOME"), "the test's own environment has variables to leak");
            assertNoConnection(listening);
        }
    }

    @Test
    void theSameRecipeBuildsToTheSameArtifactBitForBit() throws Exception {
        Digest recipe = inputs.recipe(toolchain, src, "PT30S",
                "mkdir -p out/a out/b && cp /src/greeting.txt out/b/ && echo x > out/a/x && sleep 1 && touch out/a/x");

        Outcome.Built first = assertInstanceOf(Outcome.Built.class, builder(false).build(recipe, "request-1"));
        Outcome.Built second = assertInstanceOf(Outcome.Built.class, builder(false).build(recipe, "request-2"));

        assertEquals(first.artifact(), second.artifact());
        assertEquals(2, stepsRun.get());
    }

    @Test
    void anIdenticalRequestIsAnsweredFromTheActionCacheWithoutRunningAnything() throws Exception {
        Digest recipe = inputs.recipe(toolchain, src, "PT30S", "mkdir -p out && date > out/built-at");
        Outcome.Built first = assertInstanceOf(Outcome.Built.class, builder(true).build(recipe, "request-1"));
        assertEquals(1, stepsRun.get());

        Outcome.Built again = assertInstanceOf(Outcome.Built.class, builder(true).build(recipe, "request-2"));

        assertEquals(1, stepsRun.get(), "a cache hit must run no step");
        assertTrue(again.cacheHit());
        assertEquals(first.artifact(), again.artifact());
        assertEquals(first.provenance(), again.provenance());
    }

    @Test
    void anActionCacheEntryWrittenByAnyoneButThisBuilderAnswersNothing() throws Exception {
        Digest recipe = inputs.recipe(toolchain, src, "PT30S", "mkdir -p out && echo honest > out/result");
        Outcome.Built honest = assertInstanceOf(Outcome.Built.class, builder(true).build(recipe, "request-1"));
        // What any token with the builder role can do: PUT /ac/<this builder's key> naming blobs of its choice.
        Digest evil = inputs.store("evil".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Provenance forged = new Provenance(evil, recipe, Map.of(), "builder-test", true, "forged", Instant.EPOCH,
                Instant.EPOCH, evil, null);
        Digest forgedProvenance = inputs.store(forged.sign(BuilderKeys.generate().getPrivate(), KEY.getPublic()).toJson());
        new ActionCacheFileSystem(temp.resolve("store/ac")).put(Builder.actionKey(KEY.getPublic(), recipe),
                ("{\"artifact\": \"" + evil
                + "\", \"recipe\": \"" + recipe + "\", \"provenance\": \"" + forgedProvenance + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));

        Outcome.Built again = assertInstanceOf(Outcome.Built.class, builder(true).build(recipe, "request-2"));

        assertFalse(again.cacheHit(), "a signature this builder did not make is no cache hit");
        assertEquals(honest.artifact(), again.artifact());
        assertEquals(2, stepsRun.get());
    }

    @Test
    void aStepThatLocksADirectoryUnderWorkLeavesNothingOnTheBuilder() throws Exception {
        Digest recipe = inputs.recipe(toolchain, src, "PT30S",
                "mkdir -p out locked/deeper && cp /src/greeting.txt locked/deeper/ && chmod 000 locked/deeper locked"
                        + " && echo done > out/status");

        assertInstanceOf(Outcome.Built.class, builder(true).build(recipe, "request-1"));
        // everyBuildDirectoryIsGone checks that the scrub removed it all.
    }

    @Test
    void aStepPastALimitFailsTheBuildNamingTheLimit() throws Exception {
        limits = new StepLimits(256L << 20, 64, 1L << 20, 4L << 20, 64L << 10);
        Map<String, String> expected = Map.of(
                "yes > out/big", "wrote a file past 4194304 bytes",
                "i=0; while [ $i -lt 64 ]; do head -c 1048576 /dev/zero > out/f$i; i=$((i+1)); sleep 0.05; done",
                "filled /work past 4194304 bytes",
                "yes", "wrote more than 65536 bytes to the build log",
                "dd if=/dev/zero of=/tmp/big bs=1024 count=2048", "exited with status",
                "i=0; while [ $i -lt 200 ]; do sleep 30 & i=$((i+1)); done; wait", "ran more than 64 processes",
                "head -c 300000000 /dev/zero | tr '\\0' a | (x=$(cat); echo ${#x})", "exited with status");
        for (Map.Entry<String, String> step : expected.entrySet()) {
            Digest recipe = inputs.recipe(toolchain, src, "PT60S", "mkdir -p out && " + step.getKey());

            Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, builder(false).build(recipe, "limits"));

            assertTrue(failed.reason().contains(step.getValue()), step.getKey() + ": " + failed.reason());
            try (InputStream log = store.open(failed.log())) {
                assertTrue(new String(log.readAllBytes(), UTF_8).contains("268435456 bytes of memory per process"),
                        "the log says what the bounds were");
            }
        }
    }

    @Test
    void stepsTogetherCannotRunPastTheBuildsMaxBuildTime() throws Exception {
        maxBuildTime = Duration.ofSeconds(2);
        Digest recipe = inputs.recipe(toolchain, src, "PT60S", "sleep 1.5", "sleep 1.5", "mkdir -p out");

        Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, builder(false).build(recipe, "slow"));

        assertTrue(failed.reason().contains("max-build-time of PT2S"), failed.reason());
    }

    @Test
    void aFailingStepFailsTheBuildWithItsLog() throws Exception {
        Digest recipe = inputs.recipe(toolchain, src, "PT30S", "echo compiling; echo 'error: no such symbol' >&2; exit 3",
                "echo never > /work/second");

        Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, builder(true).build(recipe, "request-1"));

        assertEquals("step 'step-1' exited with status 3; see the build log", failed.reason());
        String log = new String(read(failed.log()), UTF_8);
        assertTrue(log.contains("error: no such symbol"), log);
        assertEquals(1, stepsRun.get());
    }

    @Test
    void aStepPastItsTimeoutIsKilledWithEveryProcessItStarted() throws Exception {
        String token = "slipway-timeout-" + System.nanoTime();
        Digest recipe = inputs.recipe(toolchain, src, "PT1S",
                "sleep 300 " + token.hashCode() + " & sleep 301; echo " + token);

        long before = System.nanoTime();
        Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, builder(false).build(recipe, "request-1"));

        assertTrue(failed.reason().contains("passed its timeout of PT1S and was killed"), failed.reason());
        assertTrue(System.nanoTime() - before < 20_000_000_000L, "the build waited for the step instead of killing it");
        assertTrue(ProcessHandle.allProcesses().noneMatch(process -> process.info().arguments()
                .map(args -> List.of(args).contains(String.valueOf(token.hashCode()))).orElse(false)),
                "a process of the timed-out step is still running");
    }

    @Test
    void anInputWhoseBytesNoLongerMatchItsDigestFailsTheBuild() throws Exception {
        Digest recipe = inputs.recipe(toolchain, src, "PT30S", "mkdir -p out");
        Path stored = store.pathOf(src);
        stored.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(stored);
        bytes[600] ^= 1;
        Files.write(stored, bytes);

        Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, builder(false).build(recipe, "request-1"));

        assertTrue(failed.reason().startsWith("input 'src' (" + src + ") does not match its digest"), failed.reason());
        assertEquals(0, stepsRun.get());
    }

    @Test
    void aFileInputIsPlacedAsItIsReadOnlyAndChecked() throws Exception {
        Digest jar = inputs.store("PK\u0003\u0004 not really a jar\n".getBytes(UTF_8));
        Digest recipe = inputs.recipeWithFile(toolchain, src, jar, "/deps/lib.jar", "PT30S",
                "mkdir -p out && cp /deps/lib.jar out/ && (echo x >> /deps/lib.jar && echo writable || echo read-only) "
                        + "> out/status");

        Outcome.Built built = assertInstanceOf(Outcome.Built.class, builder(false).build(recipe, "request-1"));

        assertEquals(Map.of("out/", "", "out/lib.jar", "PK\u0003\u0004 not really a jar\n", "out/status",
                "read-only\n"), unpack(built.artifact()));
        assertEquals(jar, Provenance.verify(read(built.provenance()),
                BuilderKeys.trusted(List.of(BuilderKeys.encode(KEY.getPublic())))).inputs().get("file"));

        Path stored = store.pathOf(jar);
        stored.toFile().setWritable(true);
        Files.writeString(stored, "PK\u0003\u0004 not really a jaR\n");
        Digest again = inputs.recipeWithFile(toolchain, src, jar, "/deps/lib.jar", "PT30S", "mkdir -p out");
        Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, builder(false).build(again, "request-2"));
        assertTrue(failed.reason().startsWith("input 'file' (" + jar + ") does not match its digest"), failed.reason());
    }

    @Test
    void aMaliciousInputArchiveFailsTheBuildAndWritesNothingOutside() throws Exception {
        ByteArrayOutputStream evil = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(evil)) {
            TarArchiveEntry entry = new TarArchiveEntry("../../escaped.txt", true);
            entry.setSize(3);
            tar.putArchiveEntry(entry);
            tar.write("bad".getBytes(UTF_8));
            tar.closeArchiveEntry();
        }
        Digest recipe = inputs.recipe(toolchain, inputs.store(evil.toByteArray()), "PT30S", "mkdir -p out");

        Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, builder(false).build(recipe, "request-1"));

        assertTrue(failed.reason().contains("unsafe archive entry '../../escaped.txt'"), failed.reason());
        try (Stream<Path> everything = Files.walk(temp)) {
            assertTrue(everything.noneMatch(path -> path.endsWith("escaped.txt")));
        }
    }

    @Test
    void aRecipeThatIsNotInTheStoreOrNotValidFailsWithWhatToFix() throws Exception {
        Digest missing = Digest.of("never uploaded".getBytes(UTF_8));
        Digest invalid = inputs.store("{\"deploymentSet\":\"x\"}".getBytes(UTF_8));

        Outcome.Failed notThere = assertInstanceOf(Outcome.Failed.class, builder(true).build(missing, "r-1"));
        Outcome.Failed broken = assertInstanceOf(Outcome.Failed.class, builder(true).build(invalid, "r-2"));

        assertEquals("recipe " + missing + " is not in the store; upload it first", notThere.reason());
        assertTrue(broken.reason().contains("required property 'steps' not found"), broken.reason());
    }

    @Test
    void aMissingDeclaredOutputFailsTheBuild() throws Exception {
        Digest recipe = inputs.recipe(toolchain, src, "PT30S", "echo forgot the output");

        Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, builder(true).build(recipe, "request-1"));

        assertEquals("declared output 'out' was not produced under /work", failed.reason());
        assertNotNull(failed.log());
    }

    private void assertNoConnection(ServerSocket listening) throws IOException {
        try {
            listening.accept().close();
            throw new AssertionError("the sandbox reached a port on the host");
        } catch (SocketTimeoutException expected) {
            // Nothing connected.
        }
    }

    private byte[] read(Digest digest) throws IOException {
        try (InputStream in = store.open(digest)) {
            return in.readAllBytes();
        }
    }

    private Map<String, String> unpack(Digest artifact) throws IOException {
        Map<String, String> files = new java.util.TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(store.open(artifact))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                files.put(entry.getName(), entry.isDirectory() ? "" : new String(tar.readAllBytes(), UTF_8));
            }
        }
        return files;
    }
}
