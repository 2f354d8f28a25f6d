package dev.slipway.deploy.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.cli.Exit;
import dev.slipway.cli.Slipway;
import dev.slipway.deploy.LocalInfrastructure;
import dev.slipway.deploy.services.LocalStack;
import dev.slipway.deploy.services.ServiceProcess;
import dev.slipway.events.wire.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
                ServiceProcess.freePort(), List.of(ServiceProcess.freePort()), List.of(ServiceProcess.freePort()));
        stack = LocalStack.start(REPOSITORY, settings, ports);
        environment = new HashMap<>(Map.of(
                "HOME", work.toString(),
                "SLIPWAY_STORE_URL", "http://127.0.0.1:" + ports.cas(),
                "SLIPWAY_STORE_TOKEN", stack.tokens().get("ci"),
                "SLIPWAY_RELEASE_URL", "http://127.0.0.1:" + ports.release(),
                "SLIPWAY_RELEASE_TOKEN", stack.tokens().get("operator"),
                "SLIPWAY_KAFKA", stack.infrastructure().kafka().bootstrapServers(),
                "SLIPWAY_TRUSTED_BUILDER_KEYS", stack.builderPublicKey()));
    }

    @AfterAll
    static void stopTheStack() throws Exception {
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
}
