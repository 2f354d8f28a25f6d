package dev.slipway.deploy.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.cli.Slipway;
import dev.slipway.deploy.LocalInfrastructure;
import dev.slipway.deploy.services.LocalStack;
import dev.slipway.deploy.services.ServiceProcess;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.EventJson;
import dev.slipway.events.wire.KafkaClients;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What agreement costs: {@code BuildRequested} to {@code ArtifactDeployable} for a new recipe (a real build in
 * the sandbox), and to the last required {@code ArtifactBuilt} for a recipe built before (the action cache),
 * on the local stack with one builder and with two that must agree. Latencies are the Kafka record timestamps
 * of the request and of the outcome, so the CLI's start-up is not counted. Run by {@code bench/agreement}.
 */
@Tag("benchmark")
class AgreementBenchmark {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final int REAL_BUILDS = 6;
    private static final int CACHE_HITS = 20;
    private static final Duration OUTCOME = Duration.ofMinutes(2);

    @TempDir
    static Path work;

    @Test
    void buildRequestedToDeployableWithOneBuilderAndWithTwoThatMustAgree() throws Exception {
        for (int builders : List.of(1, 2)) {
            measure(builders);
        }
    }

    private void measure(int builders) throws Exception {
        LocalInfrastructure.Settings settings = new LocalInfrastructure.Settings(work.resolve("stack-" + builders),
                ServiceProcess.freePort(), ServiceProcess.freePort(), ServiceProcess.freePort());
        List<Integer> builderPorts = new ArrayList<>();
        for (int i = 0; i < builders; i++) {
            builderPorts.add(ServiceProcess.freePort());
        }
        LocalStack.ServicePorts ports = new LocalStack.ServicePorts(ServiceProcess.freePort(), ServiceProcess.freePort(),
                builderPorts, List.of(), List.of());
        try (LocalStack stack = LocalStack.start(REPOSITORY, settings, ports)) {
            Map<String, String> env = Map.of("HOME", work.toString(),
                    "SLIPWAY_STORE_URL", "http://127.0.0.1:" + ports.cas(),
                    "SLIPWAY_STORE_TOKEN", stack.tokens().get("ci"),
                    "SLIPWAY_RELEASE_URL", "http://127.0.0.1:" + ports.release(),
                    "SLIPWAY_RELEASE_TOKEN", stack.tokens().get("operator"),
                    "SLIPWAY_KAFKA", stack.infrastructure().kafka().bootstrapServers());
            Path dir = Files.createDirectories(work.resolve("inputs-" + builders));
            Path toolchain = Files.createDirectories(dir.resolve("toolchain/bin"));
            Files.copy(Path.of("/bin/busybox"), toolchain.resolve("busybox"));
            for (String applet : List.of("sh", "cp", "echo")) {
                Files.createSymbolicLink(toolchain.resolve(applet), Path.of("busybox"));
            }
            Path source = Files.createDirectories(dir.resolve("source/www"));
            Files.writeString(source.resolve("index.html"), "hello\n");
            String toolchainDigest = json(env, "toolchain", "import", toolchain.getParent().toString(), "--name",
                    "busybox", "--json").get("digest").asText();
            String sourceDigest = json(env, "push", source.getParent().toString(), "--json").get("digest").asText();
            try (KafkaConsumer<String, byte[]> outcomes = KafkaClients.consumer(
                    stack.infrastructure().kafka().bootstrapServers(), "unused", Map.of())) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : List.of(Topics.BUILDS, Topics.ARTIFACTS, Topics.DEPLOYABLES)) {
                    outcomes.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
                outcomes.assign(partitions);
                outcomes.seekToEnd(partitions);
                partitions.forEach(outcomes::position);
                List<Long> real = new ArrayList<>();
                List<Long> cached = new ArrayList<>();
                Path recipe = null;
                for (int i = 0; i < REAL_BUILDS; i++) {
                    recipe = recipe(dir, i, toolchainDigest, sourceDigest);
                    json(env, "build", recipe.toString(), "--json");
                    real.add(latency(outcomes, builders, true));
                }
                for (int i = 0; i < CACHE_HITS; i++) {
                    json(env, "build", recipe.toString(), "--json");
                    cached.add(latency(outcomes, builders, false));
                }
                report(builders, "real build, BuildRequested -> ArtifactDeployable", real);
                report(builders, "cache hit, BuildRequested -> last required ArtifactBuilt", cached);
            }
        }
    }

    private static Path recipe(Path dir, int i, String toolchain, String source) throws Exception {
        Path recipe = dir.resolve("recipe-" + i + ".json");
        Files.writeString(recipe, """
                {"deploymentSet": "demo",
                 "inputs": {"toolchain": {"digest": "%s", "mount": "/toolchain"},
                            "src": {"digest": "%s", "mount": "/src"}},
                 "steps": [{"name": "assemble",
                            "argv": ["/toolchain/bin/sh", "-c", "cp -r /src/www www && echo %d > www/n"],
                            "env": {"PATH": "/toolchain/bin"}, "timeout": "PT1M"}],
                 "outputs": ["www"],
                 "rollout": {"maxUnavailable": 1, "failureTolerance": 0, "slotDeadline": "PT2M",
                             "drainTimeout": "PT5S", "canaryHosts": [],
                             "health": {"url": "http://127.0.0.1:${PORT}/", "timeout": "PT1S",
                                        "retries": 10, "deadline": "PT20S"}}}
                """.formatted(toolchain, source, i));
        return recipe;
    }

    /**
     * Milliseconds from the next {@code BuildRequested} to the outcome: {@code ArtifactDeployable} of its
     * recipe, or the {@code builders}-th {@code ArtifactBuilt} of it.
     */
    private static long latency(KafkaConsumer<String, byte[]> consumer, int builders, boolean untilDeployable) {
        CloudEventCodec codec = new CloudEventCodec();
        long requested = -1;
        String recipe = null;
        int built = 0;
        long deadline = System.nanoTime() + OUTCOME.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                Object data;
                try {
                    data = codec.decode(record).data();
                } catch (EventDecodingException e) {
                    continue;
                }
                if (data instanceof BuildRequested request && requested < 0) {
                    requested = record.timestamp();
                    recipe = request.recipe();
                } else if (recipe != null && data instanceof ArtifactBuilt b && b.recipe().equals(recipe)
                        && !untilDeployable && ++built == builders) {
                    return record.timestamp() - requested;
                } else if (recipe != null && data instanceof ArtifactDeployable d && d.recipe().equals(recipe)
                        && untilDeployable) {
                    return record.timestamp() - requested;
                }
            }
        }
        throw new AssertionError("no outcome within " + OUTCOME);
    }

    private static void report(int builders, String what, List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.printf("BENCH %s of %s: %s: median %d ms, min %d ms, max %d ms (n=%d)%n", builders, builders, what,
                sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), sorted.size());
    }

    private static com.fasterxml.jackson.databind.JsonNode json(Map<String, String> env, String... args)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Slipway.execute(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), env,
                false);
        assertEquals(0, exit, String.join(" ", args) + ": " + err.toString(UTF_8));
        return EventJson.mapper().readTree(out.toString(UTF_8));
    }
}
