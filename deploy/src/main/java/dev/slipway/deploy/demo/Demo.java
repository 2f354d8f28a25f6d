package dev.slipway.deploy.demo;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.cli.Slipway;
import dev.slipway.events.wire.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo: the example service (examples/hello) goes from source to every host of the demo set through the
 * `slipway` command, as a user would type it; then, on request, a version whose health check fails is
 * shipped and the canary catches it. Progress comes from the {@link Narrator}.
 */
public final class Demo {

    /** Where the running stack is. */
    public record Stack(Path repository, Path data, String kafka, int storePort, int releasePort, List<Integer> hostPorts,
            Map<String, String> tokens, List<String> builderPublicKeys) {
    }

    /** What shipping a version ended with: whether a rollout started, and how it ended if it did. */
    public record Shipped(String artifact, boolean started, Optional<Narrator.Outcome> outcome) {
    }

    private static final Duration ROLLOUT_DEADLINE = Duration.ofMinutes(4);

    private final Stack stack;
    private final PrintStream out;
    private final Narrator narrator;

    public Demo(Stack stack, PrintStream out, Narrator narrator) {
        this.stack = stack;
        this.out = out;
        this.narrator = narrator;
    }

    /** Builds the example service and waits until its rollout ended (or it was already running everywhere). */
    public Shipped shipGood() throws Exception {
        out.println("\nDemo, step 1: build examples/hello from source and roll it out to the set 'demo'");
        return ship(stack.repository().resolve("examples/hello/src"));
    }

    /** The same service with a health check that fails: the canary must catch it and the set go back. */
    public Shipped shipBad() throws Exception {
        out.println("\nDemo, step 2: ship a version whose health check fails");
        return ship(variant("bad-src", source -> Files.copy(stack.repository().resolve("examples/hello/bad/health"),
                source.resolve("www/cgi-bin/health"), StandardCopyOption.REPLACE_EXISTING)));
    }

    /**
     * The Java example (examples/java-service), as a team's CI would ship it: the host's JDK imported as the
     * toolchain (with the libraries it loads), Gson imported from Maven Central by the hash its lock pins,
     * compiled by javac in the sandbox, rolled out to the set like any version.
     */
    public Shipped shipJava() throws Exception {
        out.println("\nDemo, step 3: compile examples/java-service (javac in the sandbox, Gson pinned by hash) and "
                + "roll it out");
        Path example = stack.data().resolve("demo/java-service");
        copyTree(stack.repository().resolve("examples/java-service"), example);
        String lock = example.resolve("slipway.lock").toString();
        String jdk = System.getProperty("java.home");
        String toolchain = slipway("toolchain", "import", jdk, "--name", "jdk-17", "--lock", lock, "--json")
                .get("digest").asText();
        out.println("  toolchain  the JDK in " + jdk + " imported as " + Narrator.shortDigest(toolchain));
        String libraries = slipway("toolchain", "libraries", jdk, "--name", "jdk-17-libraries", "--lock", lock,
                "--json").get("digest").asText();
        out.println("  toolchain  the libraries it loads imported as " + Narrator.shortDigest(libraries));
        JsonNode gson = slipway("import", "--lock", lock, "--json");
        out.println("  dependency " + gson.get("source").asText() + " as pinned, " + Narrator.shortDigest(
                gson.get("digest").asText()) + " (" + gson.get("downloaded").asLong() + " bytes downloaded)");
        String artifact = slipway("build", example.resolve("recipe.json").toString(), "--wait", "--json")
                .get("artifact").asText();
        return rollOut(artifact);
    }

    private Shipped ship(Path source) throws Exception {
        return rollOut(build(source, Files.readString(stack.repository().resolve("examples/hello/recipe.json"))));
    }

    private Shipped rollOut(String artifact) throws Exception {
        if (!narrator.awaitStart(artifact, Duration.ofSeconds(20))) {
            out.println("  no new rollout: the store had flagged " + Narrator.shortDigest(artifact)
                    + " before (a second run); the console shows how it went");
            return new Shipped(artifact, false, Optional.empty());
        }
        Optional<Narrator.Outcome> outcome = narrator.awaitOutcome(artifact, ROLLOUT_DEADLINE);
        if (outcome.isEmpty()) {
            out.println("  the rollout of " + Narrator.shortDigest(artifact) + " has not ended after "
                    + ROLLOUT_DEADLINE + "; see http://127.0.0.1:" + stack.releasePort() + "/");
        } else if (outcome.get().completed()) {
            out.println("\n  Every host of 'demo' runs " + Narrator.shortDigest(artifact) + ": "
                    + stack.hostPorts().stream().map(port -> "http://127.0.0.1:" + port + "/").toList());
        } else {
            // Said as it ended: a failed canary, or a hold or gate that ended it, or an operator's rollback.
            out.println("\n  The rollout of " + Narrator.shortDigest(artifact) + " aborted (" + outcome.get().reason()
                    + "); every host that switched is back on the previous version. The audit trail at "
                    + "http://127.0.0.1:" + stack.releasePort() + "/ shows why.");
        }
        return new Shipped(artifact, true, outcome);
    }

    /**
     * Imports the toolchain, pushes {@code source}, fills {@code recipeTemplate} (examples/hello/recipe.json's
     * placeholders) and builds it with {@code slipway build --wait}; the artifact's digest.
     */
    public String build(Path source, String recipeTemplate) throws Exception {
        String toolchain = slipway("toolchain", "import", toolchain().toString(), "--name", "busybox", "--json")
                .get("digest").asText();
        out.println("  toolchain  busybox imported as " + Narrator.shortDigest(toolchain));
        String sourceDigest = slipway("push", source.toString(), "--json").get("digest").asText();
        out.println("  source     pushed as " + Narrator.shortDigest(sourceDigest));
        Path recipe = stack.data().resolve("demo").resolve(source.getFileName() + "-recipe.json");
        Files.writeString(recipe, recipeTemplate.replace("${toolchain}", toolchain).replace("${source}", sourceDigest));
        return slipway("build", recipe.toString(), "--wait", "--json").get("artifact").asText();
    }

    /** A copy of the example's source under the data directory, changed by {@code change}. */
    public Path variant(String name, SourceChange change) throws IOException {
        Path copy = stack.data().resolve("demo").resolve(name);
        copyTree(stack.repository().resolve("examples/hello/src"), copy);
        change.apply(copy);
        return copy;
    }

    /** Edits a copy of the source. */
    @FunctionalInterface
    public interface SourceChange {
        void apply(Path source) throws IOException;
    }

    /** A toolchain directory made from the host's static busybox: the only host thing a build sees. */
    private Path toolchain() throws IOException {
        Path bin = Files.createDirectories(stack.data().resolve("demo/toolchain/bin"));
        if (!Files.exists(bin.resolve("busybox"))) {
            Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        }
        for (String applet : List.of("sh", "cp", "mkdir")) {
            if (!Files.exists(bin.resolve(applet), LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        return bin.getParent();
    }

    private JsonNode slipway(String... args) throws IOException {
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int exit = Slipway.execute(args, new PrintStream(result, true, UTF_8), new PrintStream(errors, true, UTF_8),
                Map.of("HOME", stack.data().toString(),
                        "SLIPWAY_STORE_URL", "http://127.0.0.1:" + stack.storePort() + "/",
                        "SLIPWAY_STORE_TOKEN", stack.tokens().get("ci"),
                        "SLIPWAY_RELEASE_URL", "http://127.0.0.1:" + stack.releasePort() + "/",
                        "SLIPWAY_RELEASE_TOKEN", stack.tokens().get("operator"),
                        "SLIPWAY_KAFKA", stack.kafka(),
                        "SLIPWAY_TRUSTED_BUILDER_KEYS", String.join(",", stack.builderPublicKeys())),
                false);
        if (exit != 0) {
            throw new IOException("slipway " + String.join(" ", args) + " exited " + exit + ": "
                    + errors.toString(UTF_8).strip());
        }
        return EventJson.mapper().readTree(result.toString(UTF_8));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
