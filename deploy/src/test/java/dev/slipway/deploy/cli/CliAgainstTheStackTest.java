package dev.slipway.deploy.cli;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.Gson;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cli.Exit;
import dev.slipway.cli.Slipway;
import dev.slipway.deploy.LocalInfrastructure;
import dev.slipway.deploy.services.LocalStack;
import dev.slipway.deploy.services.ServiceProcess;
import dev.slipway.events.wire.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `slipway` command as a CI job and an operator use it, against the local stack (broker, PostgreSQL,
 * cas-service, build-service, release-service, one agent, each its own process). The CLI runs in the test's
 * JVM through the same entry point as its jar, with its environment given.
 */
class CliAgainstTheStackTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path work;

    private static LocalStack stack;
    private static Map<String, String> environment;
    private static int hostPort;
    private static FileServer repository;

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return EventJson.mapper().readTree(out);
            } catch (IOException e) {
                throw new AssertionError("--json output does not parse: " + out, e);
            }
        }
    }

    @BeforeAll
    static void startTheStack() throws Exception {
        LocalInfrastructure.Settings settings = new LocalInfrastructure.Settings(work.resolve("stack"),
                ServiceProcess.freePort(), ServiceProcess.freePort(), ServiceProcess.freePort());
        LocalStack.ServicePorts ports = new LocalStack.ServicePorts(ServiceProcess.freePort(), ServiceProcess.freePort(),
                List.of(ServiceProcess.freePort(), ServiceProcess.freePort()), List.of(ServiceProcess.freePort()),
                List.of(ServiceProcess.freePort()));
        stack = LocalStack.start(REPOSITORY, settings, ports);
        hostPort = ports.hosts().get(0);
        repository = new FileServer();
        environment = new HashMap<>(Map.of(
                "HOME", work.toString(),
                "SLIPWAY_STORE_URL", "http://127.0.0.1:" + ports.cas(),
                "SLIPWAY_STORE_TOKEN", stack.tokens().get("ci"),
                "SLIPWAY_RELEASE_URL", "http://127.0.0.1:" + ports.release(),
                "SLIPWAY_RELEASE_TOKEN", stack.tokens().get("operator"),
                "SLIPWAY_KAFKA", stack.infrastructure().kafka().bootstrapServers(),
                "SLIPWAY_TRUSTED_BUILDER_KEYS", String.join(",", stack.builderPublicKeys())));
    }

    @AfterAll
    static void stopTheStack() throws Exception {
        if (repository != null) {
            repository.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static Run slipway(String... args) {
        return slipway(environment, args);
    }

    private static Run slipway(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Slipway.execute(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), env, false);
        return new Run(exit, out.toString(UTF_8), err.toString(UTF_8));
    }

    /** A busybox toolchain, imported once, and a source tree with the given build step. */
    private static Path recipe(String name, String step) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        Path toolchain = Files.createDirectories(dir.resolve("toolchain/bin"));
        Files.copy(Path.of("/bin/busybox"), toolchain.resolve("busybox"));
        for (String applet : List.of("sh", "cp", "echo")) {
            Files.createSymbolicLink(toolchain.resolve(applet), Path.of("busybox"));
        }
        Path source = Files.createDirectories(dir.resolve("source/www"));
        Files.writeString(source.resolve("index.html"), "hello from " + name + "\n");
        Files.writeString(source.resolveSibling("slipway-manifest.json"), """
                {"start": ["/bin/busybox", "sh", "-c", "exec /bin/busybox httpd -f -p 127.0.0.1:$PORT -h www"]}
                """);
        Run imported = slipway("toolchain", "import", toolchain.getParent().toString(), "--name", "busybox", "--json");
        assertEquals(0, imported.exit(), imported.err());
        Run pushed = slipway("push", source.getParent().toString(), "--json");
        assertEquals(0, pushed.exit(), pushed.err());
        Path recipe = dir.resolve("recipe.json");
        Files.writeString(recipe, """
                {"deploymentSet": "demo",
                 "inputs": {"toolchain": {"digest": "%s", "mount": "/toolchain"},
                            "src": {"digest": "%s", "mount": "/src"}},
                 "steps": [{"name": "assemble", "argv": ["/toolchain/bin/sh", "-c", "%s"],
                            "env": {"PATH": "/toolchain/bin"}, "timeout": "PT1M"}],
                 "outputs": ["slipway-manifest.json", "www"],
                 "rollout": {"maxUnavailable": 1, "failureTolerance": 0, "slotDeadline": "PT2M",
                             "drainTimeout": "PT5S", "canaryHosts": [],
                             "health": {"url": "http://127.0.0.1:${PORT}/index.html", "timeout": "PT1S",
                                        "retries": 10, "deadline": "PT20S"}}}
                """.formatted(imported.json().get("digest").asText(), pushed.json().get("digest").asText(), step));
        return recipe;
    }

    @Test
    void pushBuildStatusAndVerifyRoundTripThenATamperedArtifactFailsVerification() throws Exception {
        Path recipe = recipe("round-trip", "cp -r /src/www www && cp /src/slipway-manifest.json .");
        Run again = slipway("push", work.resolve("round-trip/source").toString(), "--json");
        assertFalse(again.json().get("uploaded").asBoolean(), "a second push finds the tree in the store");

        Run built = slipway("build", recipe.toString(), "--wait", "--json");
        assertEquals(0, built.exit(), built.err());
        String artifact = built.json().get("artifact").asText();
        assertTrue(artifact.startsWith("sha256:"), built.out());
        assertTrue(built.json().get("hermetic").asBoolean());

        Run status = slipway("status", "--json");
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.json().findValuesAsText("name").contains("demo"), status.out());

        Run verified = slipway("verify", artifact, "--json");
        assertEquals(0, verified.exit(), verified.err());
        Run byKeyFile = slipway("verify", artifact, "--trusted-key",
                work.resolve("stack/build-key/builder.pub").toString());
        assertEquals(0, byKeyFile.exit(), "the key file a person has works too: " + byKeyFile.err());
        assertTrue(verified.json().get("verified").asBoolean());
        assertTrue(verified.json().get("hermetic").asBoolean());
        assertEquals(built.json().get("recipe").asText(), verified.json().get("recipe").asText());
        assertEquals(List.of("build-service-1", "build-service-2"), texts(built.json().get("builders")),
                "--wait returns once both builders of the demo set built the same bytes: " + built.out());

        Run bothSigned = slipway("verify", artifact, "--required", "2", "--json");
        assertEquals(0, bothSigned.exit(), bothSigned.err());
        assertEquals(2, bothSigned.json().get("policy").get("signedBy").asInt(), bothSigned.out());
        assertEquals(List.of("build-service-1", "build-service-2"),
                texts(bothSigned.json().get("signatures").findValues("builder")));
        JsonNode builders = releaseApi("api/artifacts/" + artifact + "/builders");
        assertEquals("agreed", builders.get("agreement").asText(), builders.toString());
        assertEquals(List.of("build-service-1", "build-service-2"), texts(builders.get("builders").findValues("builder")));
        assertEquals(List.of("true", "true"), texts(builders.get("builders").findValues("verifies")));
        assertEquals(List.of("true", "true"), texts(builders.get("builders").findValues("sameBytes")));
        Run oneTrusted = slipway("verify", artifact, "--required", "2", "--trusted-key",
                work.resolve("stack/build-key/builder.pub").toString());
        assertEquals(Exit.FAILED.code, oneTrusted.exit(), oneTrusted.out());
        assertTrue(oneTrusted.out().contains("build-service-2 with key (none trusted): does NOT count"),
                oneTrusted.out());
        assertTrue(oneTrusted.out().contains("policy   1 of the 2 required trusted builders signed: NOT met"),
                oneTrusted.out());

        Path stored = work.resolve("stack/cas/v1").resolve(artifact.substring(7, 9)).resolve(artifact.substring(7));
        Files.setPosixFilePermissions(stored, PosixFilePermissions.fromString("rw-r--r--"));
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 1;
        Files.write(stored, bytes);
        Run tampered = slipway("verify", artifact);
        assertEquals(Exit.FAILED.code, tampered.exit(), tampered.err());
        assertEquals(1, tampered.err().strip().lines().count(), "one line: " + tampered.err());
    }

    @Test
    void buildersThatProduceDifferentBytesGetTheRecipeRejectedNamingBothDigests() throws Exception {
        Path recipe = recipe("unreproducible", "cp -r /src/www www && cp /src/slipway-manifest.json . "
                + "&& /toolchain/bin/busybox head -c 16 /dev/urandom > www/noise");

        Run built = slipway("build", recipe.toString(), "--wait", "--json");

        assertEquals(Exit.FAILED.code, built.exit(), built.out() + built.err());
        assertEquals("rejected", built.json().get("outcome").asText(), built.out());
        String reason = built.json().get("reason").asText();
        assertTrue(reason.contains("builders disagree") && reason.contains("build-service-1")
                && reason.contains("build-service-2"), reason);
        assertEquals(2, reason.split("built sha256:", -1).length - 1, "both digests named: " + reason);
        String one = reason.substring(reason.indexOf("built sha256:") + "built ".length()).substring(0, 71);
        JsonNode builders = releaseApi("api/artifacts/" + one + "/builders");
        assertEquals("rejected", builders.get("agreement").asText(), builders.toString());
        assertEquals(List.of("false", "true"), texts(builders.get("builders").findValues("sameBytes")).stream()
                .sorted().toList(), "one builder built these bytes, the other different ones: " + builders);
    }

    @Test
    void aSetWaitsForABuilderThatIsDownAndFlagsTheRecipeOnceItCameBackAndAgreed() throws Exception {
        Path recipe = recipe("one-builder-down", "cp -r /src/www www && cp /src/slipway-manifest.json .");
        kill("build-service-2");
        try {
            Run pending = slipway("build", recipe.toString(), "--wait", "--timeout", "PT20S");
            assertEquals(Exit.FAILED.code, pending.exit(), pending.out());
            assertTrue(pending.err().contains("the store has not accepted it"), pending.err());
            Run unmet = slipway("verify", digestOf(pending.err()), "--required", "2");
            assertEquals(Exit.FAILED.code, unmet.exit(), "only build-service-1 signed so far: " + unmet.out());
        } finally {
            stack.crashAndRestart("build-service-2");
        }
        Run agreed = slipway("build", recipe.toString(), "--wait", "--json");
        assertEquals(0, agreed.exit(), agreed.err());
        assertEquals(List.of("build-service-1", "build-service-2"), texts(agreed.json().get("builders")),
                "the builder that came back built the request it missed: " + agreed.out());
    }

    @Test
    void neitherABuilderOutsideThePolicyNorASecondBuilderWithTheSameKeyCountsTowardsAgreement() throws Exception {
        Path recipe = recipe("not-counted", "cp -r /src/www www && cp /src/slipway-manifest.json .");
        kill("build-service-2");
        ServiceProcess outsider = stack.startBuilder("outsider", BuilderKeys.generate(), ServiceProcess.freePort());
        ServiceProcess twin = stack.startBuilder("twin", stack.builderKeys(0), ServiceProcess.freePort());
        try {
            Run pending = slipway("build", recipe.toString(), "--wait", "--timeout", "PT30S");

            assertEquals(Exit.FAILED.code, pending.exit(), pending.out());
            for (String builder : List.of("build-service-1", "twin", "outsider")) {
                assertTrue(pending.err().contains(" on " + builder), builder + " built it too: " + pending.err());
            }
            assertTrue(pending.err().contains("the store refused a build of it: "), pending.err());
            assertTrue(pending.err().contains("the store has not accepted it"), pending.err());
            String artifact = digestOf(pending.err());
            JsonNode builders = releaseApi("api/artifacts/" + artifact + "/builders");
            assertEquals("pending", builders.get("agreement").asText(), builders.toString());
            assertEquals(1, builders.get("builders").size(), "one claim, by builder-1's key, however many builders "
                    + "hold it, and none by the outsider: " + builders);
            Run unmet = slipway("verify", artifact, "--required", "2", "--json");
            assertEquals(Exit.FAILED.code, unmet.exit(), unmet.out());
            assertEquals(1, unmet.json().get("policy").get("signedBy").asInt(), unmet.out());
        } finally {
            outsider.close();
            twin.close();
            stack.crashAndRestart("build-service-2");
        }
        Run agreed = slipway("build", recipe.toString(), "--wait", "--json");
        assertEquals(0, agreed.exit(), agreed.err());
        assertTrue(texts(agreed.json().get("builders")).contains("build-service-2"), agreed.out());
        assertEquals(2, agreed.json().get("builders").size(), "builder-1's key once, builder-2's once: " + agreed.out());
    }

    /** {@code kill -9} of one of the stack's services, once it is gone. */
    private static void kill(String service) throws Exception {
        ProcessHandle killed = ProcessHandle.of(stack.services().stream().filter(s -> s.name().equals(service))
                .findFirst().orElseThrow().pid()).orElseThrow();
        killed.destroyForcibly();
        killed.onExit().get();
    }

    /** A GET of release-service's API with the operator's token, its JSON answer. */
    private static JsonNode releaseApi(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(environment.get("SLIPWAY_RELEASE_URL") + "/" + path))
                .header("Authorization", "Bearer " + stack.tokens().get("operator")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return EventJson.mapper().readTree(response.body());
    }

    /** The artifact digest of the first "built sha256:..." line. */
    private static String digestOf(String out) {
        int at = out.indexOf("built sha256:");
        assertTrue(at >= 0, "no built line in: " + out);
        return out.substring(at + "built ".length(), at + "built ".length() + 71);
    }

    private static List<String> texts(Object nodes) {
        List<String> texts = new ArrayList<>();
        ((Iterable<?>) nodes).forEach(node -> texts.add(((JsonNode) node).asText()));
        return texts;
    }

    @Test
    void aFailingBuildExitsNonZeroAndPrintsItsLog() throws Exception {
        Path recipe = recipe("failing", "echo compiling; echo 'error: missing semicolon at main.c:3' >&2; exit 3");
        Run failed = slipway("build", recipe.toString(), "--wait");
        assertEquals(Exit.FAILED.code, failed.exit(), failed.out());
        assertTrue(failed.err().contains("error: missing semicolon at main.c:3"), failed.err());
        assertTrue(failed.err().lines().anyMatch(line -> line.startsWith("slipway: the build of")), failed.err());
    }

    @Test
    void aWrongTokenAndAnUnreachableBrokerEachGiveOneActionableLineAndTheirOwnExitCode() throws Exception {
        Path tree = Files.createDirectories(work.resolve("tokens/src"));
        Files.writeString(tree.resolve("a"), "a");
        Map<String, String> wrongToken = new HashMap<>(environment);
        wrongToken.put("SLIPWAY_STORE_TOKEN", "not-a-token");
        Run refused = slipway(wrongToken, "push", tree.toString());
        assertEquals(Exit.AUTH.code, refused.exit());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().contains("SLIPWAY_STORE_TOKEN"), refused.err());

        Run viewerOnly = slipway("pause", "--set", "demo", "--reason", "x", "--token", stack.tokens().get("ci"));
        assertEquals(Exit.AUTH.code, viewerOnly.exit(), viewerOnly.err());

        Path recipe = recipe("unreachable", "cp -r /src/www www && cp /src/slipway-manifest.json .");
        Run unreachable = slipway("build", recipe.toString(), "--wait", "--kafka", "127.0.0.1:1");
        assertEquals(Exit.UNREACHABLE.code, unreachable.exit(), unreachable.err());
        assertEquals(1, unreachable.err().lines().filter(line -> line.startsWith("slipway: ")).count(),
                "one error line after the progress lines: " + unreachable.err());
        assertTrue(unreachable.err().contains("--kafka, SLIPWAY_KAFKA"), unreachable.err());
    }

    @Test
    void operatorCommandsNeedConfirmationForProductionAndSayWhatTheServiceRefused() {
        Run unconfirmed = slipway("promote", "sha256:" + "0".repeat(64), "--set", "demo", "--channel", "production");
        assertEquals(Exit.USAGE.code, unconfirmed.exit());
        assertTrue(unconfirmed.err().contains("--yes"), unconfirmed.err());

        Run unknown = slipway("promote", "sha256:" + "0".repeat(64), "--set", "no-such-set", "--channel", "staging");
        assertEquals(Exit.REFUSED.code, unknown.exit());
        assertTrue(unknown.err().contains("unknown deployment set 'no-such-set'"), unknown.err());

        Run malformed = slipway("promote", "sha256:xyz", "--set", "demo", "--channel", "staging", "--json");
        assertEquals(Exit.REFUSED.code, malformed.exit(), malformed.err());

        Run stranger = slipway("remove-host", "host-9", "--set", "demo", "--reason", "decommissioned", "--yes");
        assertEquals(Exit.REFUSED.code, stranger.exit(), stranger.err());
        assertTrue(stranger.err().contains("'host-9' is not a member of set 'demo'"), stranger.err());
    }

    @Test
    void setCommandsAreFollowedUntilCarriedOutAndTakeDigestsAsTheCliPrintsThem() throws Exception {
        Path recipe = recipe("followed", "cp -r /src/www www && cp /src/slipway-manifest.json . && echo f > f");
        Run built = slipway("build", recipe.toString(), "--wait", "--json");
        assertEquals(0, built.exit(), built.err());
        String artifact = built.json().get("artifact").asText();
        String printed = artifact.substring("sha256:".length(), "sha256:".length() + 12);

        Run promoted = slipway("promote", printed, "--set", "demo", "--channel", "canary");
        assertEquals(0, promoted.exit(), promoted.err());
        assertTrue(promoted.out().contains("carried out for demo: " + artifact + " deployable on demo/canary"),
                promoted.out());
        Run verified = slipway("verify", printed, "--json");
        assertEquals(0, verified.exit(), verified.err());
        assertEquals(artifact, verified.json().get("artifact").asText());
        Run tooShort = slipway("promote", printed.substring(0, 4), "--set", "demo", "--channel", "canary");
        assertEquals(Exit.REFUSED.code, tooShort.exit());
        assertTrue(tooShort.err().contains("give 12 or more of its hex digits"), tooShort.err());

        await("a rollout of demo").atMost(Duration.ofSeconds(60)).until(() -> slipway("status", "--set", "demo",
                "--json").json().path("rollouts").size() > 0);
        Run paused = slipway("pause", "--set", "demo", "--reason", "incident 12");
        try {
            assertEquals(0, paused.exit(), paused.err());
            assertTrue(paused.out().contains("carried out for demo") && paused.out().contains("incident 12"),
                    paused.out());
            Run status = slipway("status", "--set", "demo");
            assertTrue(status.out().contains("PAUSED by operator:operator"), status.out());
            Run again = slipway("pause", "--set", "demo", "--reason", "again");
            assertEquals(Exit.REFUSED.code, again.exit());
            assertTrue(again.err().contains("already paused by operator:operator"), again.err());
        } finally {
            Run resumed = slipway("resume", "--set", "demo");
            assertEquals(0, resumed.exit(), resumed.err());
            assertTrue(resumed.out().contains("carried out for demo: demo resumed by operator:operator"),
                    resumed.out());
        }
        Run notPaused = slipway("resume", "--set", "demo");
        assertEquals(Exit.REFUSED.code, notPaused.exit());
        assertTrue(notPaused.err().contains("is not paused"), notPaused.err());

        Map<String, String> migrator = new HashMap<>(environment);
        migrator.put("SLIPWAY_RELEASE_TOKEN", stack.tokens().get("holder"));
        Run held = slipway(migrator, "hold", "add", "--set", "demo", "--name", "db-migration", "--until", "PT10M",
                "--on-expiry", "fail", "--reason", "schema 42");
        try {
            assertEquals(0, held.exit(), held.err());
            assertTrue(held.out().contains("carried out for demo"), held.out());
            Run listed = slipway("hold", "list", "--set", "demo");
            assertTrue(listed.out().contains("db-migration  by operator:holder until ")
                    && listed.out().contains("then fail the rollout: schema 42"), listed.out());
            Run notAnOperator = slipway(migrator, "pause", "--set", "demo", "--reason", "x");
            assertEquals(Exit.AUTH.code, notAnOperator.exit(), notAnOperator.err());
            assertTrue(notAnOperator.err().contains("lacks the operator role"), notAnOperator.err());
        } finally {
            Run released = slipway(migrator, "hold", "release", "--set", "demo", "--name", "db-migration");
            assertEquals(0, released.exit(), released.err());
        }
        assertTrue(slipway("hold", "list", "--set", "demo").out().contains("demo is not held"));
        Run unknown = slipway(migrator, "hold", "release", "--set", "demo", "--name", "db-migration");
        assertEquals(Exit.REFUSED.code, unknown.exit());
        assertTrue(unknown.err().contains("no hold named 'db-migration' in place"), unknown.err());
    }

    @Test
    void statusWatchFollowsTheLiveStreamAndPrintsEachChange() throws Exception {
        Path first = recipe("watched-1", "cp -r /src/www www && cp /src/slipway-manifest.json .");
        assertEquals(0, slipway("build", first.toString(), "--wait").exit());
        // Its own process, as a person runs it in a second terminal: it never returns by itself.
        Path output = work.resolve("watch.out");
        ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Slipway.class.getName(), "status", "--watch")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        command.environment().putAll(environment);
        Process watch = command.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(output).contains("demo")
                    || !watch.isAlive());
            assertTrue(watch.isAlive(), "the watch ended at once: " + Files.readString(output));

            Path second = recipe("watched-2", "cp -r /src/www www && cp /src/slipway-manifest.json . && echo 2 > v");
            assertEquals(0, slipway("build", second.toString(), "--wait").exit());

            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(output).lines()
                    .anyMatch(line -> line.startsWith("-- ") && line.contains("deployable on demo/staging")));
            assertTrue(watch.isAlive(), Files.readString(output));
        } finally {
            watch.destroyForcibly().waitFor();
        }
    }

    @Test
    void importStoresOnlyWhatMatchesThePinNamesBothDigestsOtherwiseAndDownloadsNothingTheStoreHas() throws Exception {
        byte[] jar = ("a library built for this run " + System.nanoTime()).getBytes(UTF_8);
        String path = "/maven2/dev/example/thing/1.0/thing-1.0.jar";
        repository.put(path, jar);
        repository.put(path + ".sha1", (hex("SHA-1", jar) + "  thing-1.0.jar\n").getBytes(UTF_8));
        String coordinate = "maven:dev.example:thing:1.0";
        Path lock = work.resolve("imports/slipway.lock");
        String[] from = {"--repository", repository.url("/maven2"), "--lock", lock.toString()};

        Run unpinned = slipway(concat(new String[] {"import", coordinate}, from));
        assertEquals(Exit.REFUSED.code, unpinned.exit(), unpinned.err());
        assertTrue(unpinned.err().contains("--sha256 " + hex("SHA-256", jar)), unpinned.err());
        String other = "ab".repeat(32);
        Run mismatch = slipway(concat(new String[] {"import", coordinate, "--sha256", other}, from));
        assertEquals(Exit.REFUSED.code, mismatch.exit(), mismatch.err());
        assertTrue(mismatch.err().contains("served sha256:" + hex("SHA-256", jar) + " but sha256:" + other
                + " is pinned; nothing was stored"), mismatch.err());
        assertFalse(Files.exists(lock), "a refused import pins nothing");
        assertFalse(Files.exists(stored(hex("SHA-256", jar))), "a refused import stores nothing");

        Run imported = slipway(concat(new String[] {"import", coordinate, "--sha256", hex("SHA-256", jar), "--json"},
                from));
        assertEquals(0, imported.exit(), imported.err());
        assertEquals(jar.length, imported.json().get("downloaded").asInt());
        assertArrayEquals(jar, Files.readAllBytes(stored(hex("SHA-256", jar))));
        assertTrue(Files.readString(lock).contains("\"digest\" : \"sha256:" + hex("SHA-256", jar) + "\""),
                Files.readString(lock));
        repository.takeRequests();
        Run again = slipway(concat(new String[] {"import", coordinate, "--json"}, from));
        assertEquals(0, again.exit(), again.err());
        assertEquals(0, again.json().get("downloaded").asInt());
        assertEquals(0, repository.takeRequests(), "the store had the pinned bytes: nothing was fetched");

        byte[] tampered = ("a library someone changed " + System.nanoTime()).getBytes(UTF_8);
        String changed = "/maven2/dev/example/thing/1.1/thing-1.1.jar";
        repository.put(changed, tampered);
        repository.put(changed + ".sha1", (hex("SHA-1", jar) + "\n").getBytes(UTF_8));
        Run unpublished = slipway(concat(new String[] {"import", "maven:dev.example:thing:1.1", "--sha256",
                hex("SHA-256", tampered)}, from));
        assertEquals(Exit.REFUSED.code, unpublished.exit(), unpublished.err());
        assertTrue(unpublished.err().contains("but its repository publishes " + hex("SHA-1", jar)), unpublished.err());
        assertFalse(Files.exists(stored(hex("SHA-256", tampered))));
    }

    @Test
    void theJavaExampleCompilesInTheSandboxFromItsLockBuildsTwiceToTheSameBytesAndServes() throws Exception {
        Path example = copyExample("java-service");
        Path lock = example.resolve("slipway.lock");
        String jdk = System.getProperty("java.home");
        byte[] gson = Files.readAllBytes(Path.of(Gson.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()));
        String gsonPath = "/maven2/com/google/code/gson/gson/2.13.2/gson-2.13.2.jar";
        repository.put(gsonPath, gson);
        repository.put(gsonPath + ".sha1", hex("SHA-1", gson).getBytes(UTF_8));
        for (String[] step : List.of(
                new String[] {"toolchain", "import", jdk, "--name", "jdk-17", "--lock", lock.toString()},
                new String[] {"toolchain", "libraries", jdk, "--name", "jdk-17-libraries", "--lock", lock.toString()},
                new String[] {"import", "maven:com.google.code.gson:gson:2.13.2", "--repository",
                        repository.url("/maven2"), "--lock", lock.toString()})) {
            Run run = slipway(step);
            assertEquals(0, run.exit(), String.join(" ", step) + ": " + run.err());
        }

        Run first = slipway("build", example.resolve("recipe.json").toString(), "--wait", "--json");
        assertEquals(0, first.exit(), first.err());
        Files.writeString(example.resolve("recipe.json"), Files.readString(example.resolve("recipe.json"))
                .replace("\"LANG\": \"C.UTF-8\"", "\"LANG\": \"C.UTF-8\", \"BUILT_AGAIN\": \"yes\""));
        Run second = slipway("build", example.resolve("recipe.json").toString(), "--wait", "--json");
        assertEquals(0, second.exit(), second.err());
        assertFalse(second.json().get("cacheHit").asBoolean(), "another recipe: built again, not from the cache");
        assertEquals(first.json().get("artifact").asText(), second.json().get("artifact").asText(),
                "two builds of the same inputs, bit for bit");

        String artifact = first.json().get("artifact").asText();
        Map<String, byte[]> files = unpack(artifact);
        assertArrayEquals(gson, files.get("app/lib/gson.jar"), "the dependency is the pinned jar");
        assertTrue(new String(files.get("app/greeter.jar"), ISO_8859_1)
                .contains("dev/example/greeter/Greeter.class"), "the service was compiled in the sandbox");
        await().atMost(Duration.ofMinutes(2)).until(() -> slipway("status", "--set", "demo").out().lines()
                .anyMatch(line -> line.contains("healthy") && line.contains(artifact)));
        HttpResponse<String> greeting = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostPort + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, greeting.statusCode());
        JsonNode body = EventJson.mapper().readTree(greeting.body());
        assertEquals("hello from the greeter", body.get("greeting").asText(), greeting.body());
        assertEquals(hostPort, body.get("port").asInt(), greeting.body());
    }

    @Test
    void aStepWithTheJdkToolchainReachesNeitherMavenCentralNorTheHost() throws Exception {
        Path example = copyExample("java-service");
        Path lock = example.resolve("slipway.lock");
        String jdk = System.getProperty("java.home");
        assertEquals(0, slipway("toolchain", "import", jdk, "--name", "jdk-17", "--lock", lock.toString()).exit());
        assertEquals(0, slipway("toolchain", "libraries", jdk, "--name", "jdk-17-libraries", "--lock",
                lock.toString()).exit());
        Path probe = Files.createDirectories(example.resolve("probe"));
        Files.writeString(probe.resolve("Probe.java"), """
                import java.net.InetSocketAddress;
                import java.net.Socket;
                import java.nio.file.Files;
                import java.nio.file.Path;
                public class Probe {
                    public static void main(String[] args) throws Exception {
                        StringBuilder report = new StringBuilder();
                        for (String target : args) {
                            String[] hostPort = target.split(":");
                            try (Socket socket = new Socket()) {
                                socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 3000);
                                report.append(target).append(" reached\\n");
                            } catch (Exception e) {
                                report.append(target).append(" ").append(e.getClass().getSimpleName()).append("\\n");
                            }
                        }
                        Files.writeString(Path.of("report.txt"), report);
                    }
                }
                """);
        Path recipe = example.resolve("probe.json");
        Files.writeString(recipe, """
                {"deploymentSet": "sandbox-probe",
                 "inputs": {"jdk": {"lock": "jdk-17", "mount": "/jdk"},
                            "libraries": {"lock": "jdk-17-libraries", "mount": "/lib64"},
                            "probe": {"path": "probe", "mount": "/probe"}},
                 "steps": [{"name": "probe", "argv": ["/jdk/bin/java", "-Xmx64m", "/probe/Probe.java",
                            "repo.maven.apache.org:443", "127.0.0.1:%d"],
                            "env": {"LD_LIBRARY_PATH": "/lib64"}, "timeout": "PT2M"}],
                 "outputs": ["report.txt"],
                 "rollout": {"maxUnavailable": 1, "failureTolerance": 0, "slotDeadline": "PT2M",
                             "drainTimeout": "PT5S", "canaryHosts": [],
                             "health": {"url": "http://127.0.0.1:${PORT}/", "timeout": "PT1S",
                                        "retries": 1, "deadline": "PT5S"}}}
                """.formatted(hostPort));

        Run probed = slipway("build", recipe.toString(), "--wait", "--json");
        assertEquals(0, probed.exit(), probed.err());

        String report = new String(unpack(probed.json().get("artifact").asText()).get("report.txt"), UTF_8);
        assertTrue(report.contains("repo.maven.apache.org:443 UnknownHostException"), report);
        assertTrue(report.contains("127.0.0.1:" + hostPort + " ConnectException"), report);
    }

    @Test
    void theCiScriptImportsBuildsVerifiesAndPromotesOnATagAndStopsAtAnyOtherBytes() throws Exception {
        Path service = Files.createDirectories(work.resolve("ci-service"));
        Path lock = service.resolve("slipway.lock");
        Path toolchain = Files.createDirectories(service.resolve("toolchain/bin"));
        Files.copy(Path.of("/bin/busybox"), toolchain.resolve("busybox"));
        for (String applet : List.of("sh", "cp")) {
            Files.createSymbolicLink(toolchain.resolve(applet), Path.of("busybox"));
        }
        assertEquals(0, slipway("toolchain", "import", toolchain.getParent().toString(), "--name", "busybox", "--lock",
                lock.toString()).exit());
        byte[] notice = ("third-party notice " + System.nanoTime() + "\n").getBytes(UTF_8);
        repository.put("/files/notice.txt", notice);
        Run pinned = slipway("import", repository.url("/files/notice.txt"), "--sha256", hex("SHA-256", notice),
                "--name", "notice", "--lock", lock.toString());
        assertEquals(0, pinned.exit(), pinned.err());
        Files.createDirectories(service.resolve("src/www"));
        Files.writeString(service.resolve("src/www/index.html"), "released by CI\n");
        Files.writeString(service.resolve("src/slipway-manifest.json"), """
                {"start": ["/bin/busybox", "sh", "-c", "exec /bin/busybox httpd -f -p 127.0.0.1:$PORT -h www"]}
                """);
        Files.writeString(service.resolve("recipe.json"), """
                {"deploymentSet": "demo",
                 "inputs": {"toolchain": {"lock": "busybox", "mount": "/toolchain"},
                            "notice": {"lock": "notice", "mount": "/deps/notice.txt"},
                            "src": {"path": "src", "mount": "/src"}},
                 "steps": [{"name": "assemble", "argv": ["/toolchain/bin/sh", "-c",
                            "cp -r /src/www www && cp /deps/notice.txt www/ && cp /src/slipway-manifest.json ."],
                            "env": {"PATH": "/toolchain/bin"}, "timeout": "PT1M"}],
                 "outputs": ["slipway-manifest.json", "www"],
                 "rollout": {"maxUnavailable": 1, "failureTolerance": 0, "slotDeadline": "PT2M",
                             "drainTimeout": "PT5S", "canaryHosts": [],
                             "health": {"url": "http://127.0.0.1:${PORT}/index.html", "timeout": "PT1S",
                                        "retries": 10, "deadline": "PT20S"}}}
                """);

        Run released = ciScript(service, "v1.0");
        assertEquals(0, released.exit(), released.out() + released.err());
        String artifact = released.out().lines().filter(line -> line.startsWith("built ")).findFirst()
                .map(line -> line.substring("built ".length())).orElseThrow(() -> new AssertionError(released.out()));
        assertArrayEquals(notice, unpack(artifact).get("www/notice.txt"), "built from the pinned dependency");
        assertTrue(released.out().contains("promoted " + artifact + " (v1.0) to demo/production"), released.out());
        assertTrue(released.out().contains("carried out"), "the promotion was followed to its end: " + released.out());

        repository.put("/files/notice.txt", "someone else's notice\n".getBytes(UTF_8));
        Files.writeString(lock, Files.readString(lock).replace(hex("SHA-256", notice), "cd".repeat(32)));
        Run refused = ciScript(service, "v1.1");
        assertEquals(Exit.REFUSED.code, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.err().contains("is pinned; nothing was stored"), refused.err());
        assertFalse(refused.out().contains("built "), "nothing was built: " + refused.out());
    }

    @Test
    void aToolchainUpdateRebuildsToANewArtifactItsUsersAreFoundAndTheOldArtifactStillVerifies() throws Exception {
        Path team = Files.createDirectories(work.resolve("toolchain-update"));
        Path lock = team.resolve("service/slipway.lock");
        Path toolchain = Files.createDirectories(team.resolve("toolchain/bin"));
        Files.copy(Path.of("/bin/busybox"), toolchain.resolve("busybox"));
        Files.createSymbolicLink(toolchain.resolve("sh"), Path.of("busybox"));
        Files.writeString(toolchain.resolveSibling("VERSION"), "1\n");
        Run old = slipway("toolchain", "import", toolchain.getParent().toString(), "--name", "busybox", "--lock",
                lock.toString(), "--json");
        assertEquals(0, old.exit(), old.err());
        Files.createDirectories(team.resolve("service/src"));
        Files.writeString(team.resolve("service/src/slipway-manifest.json"), "{\"start\": [\"/bin/true\"]}\n");
        Files.writeString(team.resolve("service/recipe.json"), """
                {"deploymentSet": "toolchain-update",
                 "inputs": {"toolchain": {"lock": "busybox", "mount": "/toolchain"},
                            "src": {"path": "src", "mount": "/src"}},
                 "steps": [{"name": "stamp", "argv": ["/toolchain/bin/sh", "-c",
                            "cp /src/slipway-manifest.json . && /toolchain/bin/busybox cp /toolchain/VERSION built-with"],
                            "env": {}, "timeout": "PT1M"}],
                 "outputs": ["slipway-manifest.json", "built-with"],
                 "rollout": {"maxUnavailable": 1, "failureTolerance": 0, "slotDeadline": "PT2M",
                             "drainTimeout": "PT5S", "canaryHosts": [],
                             "health": {"command": ["/bin/true"], "timeout": "PT1S", "retries": 0,
                                        "deadline": "PT5S"}}}
                """);
        Run before = slipway("build", team.resolve("service/recipe.json").toString(), "--wait", "--json");
        assertEquals(0, before.exit(), before.err());

        Files.writeString(toolchain.resolveSibling("VERSION"), "2\n");
        Run updated = slipway("toolchain", "import", toolchain.getParent().toString(), "--name", "busybox", "--lock",
                lock.toString(), "--json");
        assertEquals(0, updated.exit(), updated.err());
        String oldDigest = old.json().get("digest").asText();
        assertFalse(oldDigest.equals(updated.json().get("digest").asText()));
        Run users = slipway("toolchain", "users", oldDigest, team.toString());
        assertEquals("", users.out().strip(), "the lock moved to the new toolchain: nothing names the old one");
        Run newUsers = slipway("toolchain", "users", updated.json().get("digest").asText(), team.toString());
        assertEquals(lock + "  busybox", newUsers.out().strip());
        Run after = slipway("build", team.resolve("service/recipe.json").toString(), "--wait", "--json");
        assertEquals(0, after.exit(), after.err());

        String first = before.json().get("artifact").asText();
        String second = after.json().get("artifact").asText();
        assertFalse(first.equals(second), "a new toolchain, a new artifact");
        assertEquals("1\n", new String(unpack(first).get("built-with"), UTF_8));
        assertEquals("2\n", new String(unpack(second).get("built-with"), UTF_8));
        for (String artifact : List.of(first, second)) {
            Run verified = slipway("verify", artifact, "--json");
            assertEquals(0, verified.exit(), verified.err());
            assertTrue(verified.json().get("verified").asBoolean());
        }
    }

    /** examples/ci/release.sh as a CI job runs it: its own process, the CLI's settings in its environment. */
    private static Run ciScript(Path service, String tag) throws Exception {
        ProcessBuilder command = new ProcessBuilder("bash", REPOSITORY.resolve("examples/ci/release.sh").toString(),
                service.toString(), tag);
        command.environment().putAll(environment);
        command.environment().put("SLIPWAY_CLI", Path.of(System.getProperty("java.home"), "bin", "java") + " -cp "
                + System.getProperty("java.class.path") + " " + Slipway.class.getName());
        Path out = work.resolve("ci-" + tag + ".out");
        Path err = work.resolve("ci-" + tag + ".err");
        Process process = command.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), "the CI script did not end");
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Path copyExample(String name) throws IOException {
        Path from = REPOSITORY.resolve("examples").resolve(name);
        Path to = work.resolve("examples-" + System.nanoTime()).resolve(name);
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path path : walk.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }

    private static Path stored(String hex) {
        return work.resolve("stack/cas/v1").resolve(hex.substring(0, 2)).resolve(hex);
    }

    private static Map<String, byte[]> unpack(String artifact) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(
                        Files.newInputStream(stored(artifact.substring("sha256:".length()))))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                files.put(entry.getName(), tar.readAllBytes());
            }
        }
        return files;
    }

    private static String hex(String algorithm, byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    private static String[] concat(String[] first, String[] second) {
        return Stream.concat(Arrays.stream(first), Arrays.stream(second))
                .toArray(String[]::new);
    }
}
