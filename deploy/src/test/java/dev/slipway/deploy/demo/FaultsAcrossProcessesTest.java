package dev.slipway.deploy.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.deploy.LocalInfrastructure;
import dev.slipway.deploy.services.LocalStack;
import dev.slipway.deploy.services.ServiceProcess;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.AgentState;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.KafkaClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults while versions go out, every part its own process: build-service killed (-9) in the middle of a
 * build, an agent killed during a rollout, cas-service killed while the agents download, the broker restarted
 * during a rollout. After each, the rollout completed or rolled back, every host serves one whole version
 * from a fully unpacked generation, and in the end the release service's audit log holds every event that
 * is on the topics.
 */
class FaultsAcrossProcessesTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Duration ROLLOUT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path data;

    private LocalStack stack;
    private Demo demo;
    private Narrator narrator;
    private List<Integer> hosts;
    private final ByteArrayOutputStream story = new ByteArrayOutputStream();

    @Test
    void everyFaultEndsInACompletedOrRolledBackRolloutAndTheHistoryIsComplete() throws Exception {
        LocalInfrastructure.Settings settings = new LocalInfrastructure.Settings(data, ServiceProcess.freePort(),
                ServiceProcess.freePort(), ServiceProcess.freePort());
        List<Integer> agents = new ArrayList<>();
        hosts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            agents.add(ServiceProcess.freePort());
            hosts.add(ServiceProcess.freePort());
        }
        LocalStack.ServicePorts ports = new LocalStack.ServicePorts(ServiceProcess.freePort(), ServiceProcess.freePort(),
                List.of(ServiceProcess.freePort(), ServiceProcess.freePort()), agents, hosts);
        PrintStream out = new PrintStream(story, true, StandardCharsets.UTF_8);
        try (LocalStack started = LocalStack.start(REPOSITORY, settings, ports)) {
            stack = started;
            narrator = new Narrator(stack.infrastructure().kafka().bootstrapServers(), LocalStack.DEMO_SET, out);
            demo = new Demo(LocalStack.running(REPOSITORY, settings, ports), out, narrator);
            String template = Files.readString(REPOSITORY.resolve("examples/hello/recipe.json"));

            String v1 = demo.build(version("v1"), template);
            settled(v1, "v1", "v1");

            // build-service killed in the middle of a build: the request is built again after its restart.
            String slow = template.replace("\"argv\": [\"/toolchain/bin/sh\", \"-c\", \"",
                    "\"argv\": [\"/toolchain/bin/sh\", \"-c\", \"sleep 4 && ");
            int mark = narrator.told();
            CompletableFuture<String> building = CompletableFuture.supplyAsync(() -> {
                try {
                    return demo.build(version("v2"), slow);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(narrator.awaitLine("running on", mark, Duration.ofSeconds(60)), story::toString);
            stack.crashAndRestart("build-service");
            String v2 = building.get();
            settled(v2, "v2", "v1");

            // An agent killed during a rollout: it comes back, finds its place on the log, and the set finishes.
            String v3 = demo.build(version("v3"), template);
            assertTrue(narrator.awaitStart(v3, Duration.ofSeconds(60)), story::toString);
            stack.crashAndRestart("agent-1");
            settled(v3, "v3", "v2");

            // cas-service killed while the agents fetch the new version.
            mark = narrator.told();
            CompletableFuture<String> flagged = CompletableFuture.supplyAsync(() -> {
                try {
                    return demo.build(version("v4"), template);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(narrator.awaitLine("flagged", mark, Duration.ofSeconds(60)), story::toString);
            stack.crashAndRestart("cas-service");
            String v4 = flagged.get();
            settled(v4, "v4", "v3");

            // The broker restarted during a rollout.
            String v5 = demo.build(version("v5"), template);
            assertTrue(narrator.awaitStart(v5, Duration.ofSeconds(60)), story::toString);
            stack.infrastructure().restartKafka();
            settled(v5, "v5", "v4");

            everyEventIsInTheReleaseHistory();
            narrator.close();
        } finally {
            // What happened, step by step, kept for whoever reads a failure (or a success).
            Files.writeString(Path.of("target", "faults-story.txt"), story.toString(StandardCharsets.UTF_8));
        }
    }

    private Path version(String label) throws IOException {
        return demo.variant(label, source -> Files.writeString(source.resolve("www/index.html"), label + "\n"));
    }

    /**
     * The rollout of {@code artifact} ended; completed, every host serves {@code label}, else (rolled back)
     * every host serves {@code previous}; each host's current generation is whole.
     */
    private void settled(String artifact, String label, String previous) throws Exception {
        Narrator.Outcome outcome = narrator.awaitOutcome(artifact, ROLLOUT)
                .orElseThrow(() -> new AssertionError("the rollout of " + label + " never ended:\n" + story));
        String expected = outcome.completed() ? label : previous;
        await("every host to serve " + expected).atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int port : hosts) {
                assertTrue(get(port).strip().equals(expected), "host on " + port + " serves '" + get(port)
                        + "', not " + expected + " (" + outcome + ")\n" + story);
            }
        });
        for (int i = 0; i < hosts.size(); i++) {
            Path current = data.resolve("fleet").resolve("host-" + i).resolve("current");
            assertTrue(Files.isRegularFile(current.resolve("slipway-manifest.json"))
                    && Files.isRegularFile(current.resolve("www/index.html")), "host-" + i + " is half-switched");
        }
    }

    private void everyEventIsInTheReleaseHistory() throws Exception {
        Set<String> onTheTopics = new HashSet<>();
        Map<String, AgentState> saidLast = new HashMap<>();
        CloudEventCodec codec = new CloudEventCodec();
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(
                stack.infrastructure().kafka().bootstrapServers(), "unused", Map.of())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : Topics.ALL) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        Event<?> event = codec.decode(record);
                        // Heartbeats and the agents' checkpoints repeat what the history already holds.
                        if (!(event.data() instanceof AgentState state && heartbeat(saidLast, state))
                                && !(event.data() instanceof SetCheckpointed)) {
                            onTheTopics.add(event.id());
                        }
                    } catch (EventDecodingException notAnEvent) {
                        // Dead-lettered by the projection, not history.
                    }
                }
            }
        }
        await("the release service's history to hold every event").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Set<String> missing = new HashSet<>(onTheTopics);
            missing.removeAll(auditedIds());
            assertTrue(missing.isEmpty(), missing.size() + " of " + onTheTopics.size() + " events are not in the audit log");
        });
    }

    /** An agent saying again what it said last: its heartbeat, which moves last-seen and is not history. */
    private static boolean heartbeat(Map<String, AgentState> saidLast, AgentState state) {
        AgentState before = saidLast.put(state.agentId(), state);
        return before != null && Objects.equals(before.current(), state.current())
                && Objects.equals(before.previous(), state.previous()) && before.health() == state.health()
                && Objects.equals(before.problem(), state.problem()) && before.channel().equals(state.channel())
                && before.deploymentSet().equals(state.deploymentSet());
    }

    private Set<String> auditedIds() throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection connection = stack.infrastructure().postgres().connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select event_id from audit_log")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    private static String get(int port) throws IOException, InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "(not answering: " + e.getMessage() + ")";
        }
    }
}
