package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;

import dev.slipway.agent.rollout.Rollout;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.wire.CloudEventCodec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Not a test: the figures of bench/agent. Prints, asserts nothing about time. */
@Tag("benchmark")
class AgentBenchmark {

    @TempDir
    Path root;

    @Test
    void reactionLatency() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(3, 0);
            await("joined", () -> fleet.agents.get(0).fold().members().size() == 3);
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                FleetFixture.Release release = fleet.release("r" + i, true, 3, "PT60S");
                Instant sent = Instant.now();
                fleet.deploy(release);
                await("a download started", () -> fleet.agents.stream().anyMatch(a -> started(a, sent)));
                Instant first = fleet.agents.stream().map(Agent::downloadStarted).filter(t -> !t.isBefore(sent))
                        .min(Instant::compareTo).orElseThrow();
                if (i >= 10) {
                    micros.add(java.time.Duration.between(sent, first).toNanos() / 1000);
                }
                await("rollout " + i + " done", () -> fleet.agents.get(0).fold().rollout() != null
                        && fleet.agents.get(0).fold().rollout().artifact().equals(release.artifact().toString())
                        && fleet.agents.get(0).fold().rollout().status() == Rollout.Status.COMPLETED);
            }
            Collections.sort(micros);
            System.out.printf("%nBENCH ArtifactDeployable sent -> first agent starts its download, %d releases: "
                    + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", micros.size(), at(micros, 0.5), at(micros, 0.99),
                    micros.get(micros.size() - 1) / 1000.0);
        }
    }

    @Test
    void fiftyAgentRollout() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.healthCheck = """
                    {"command": ["/bin/busybox", "sleep", "1"], "timeout": "PT5S", "retries": 0, "deadline": "PT10S"}""";
            fleet.startAgents(50, 0);
            await("joined", () -> fleet.agents.get(0).fold().members().size() == 50);
            FleetFixture.Release release = fleet.release("v1", true, 5, "PT60S");
            fleet.deploy(release);
            await("completed", () -> fleet.agents.get(0).fold().rollout() != null
                    && fleet.agents.get(0).fold().rollout().status() == Rollout.Status.COMPLETED);
            await("announced", () -> !records(fleet, RolloutCompleted.class).isEmpty());

            Instant started = records(fleet, RolloutStarted.class).get(0);
            Instant completed = records(fleet, RolloutCompleted.class).get(0);
            Map<String, Instant> drained = byHost(fleet, HostDrained.class);
            Map<String, Instant> healthy = byHost(fleet, HostHealthy.class);
            List<Long> perHost = new ArrayList<>();
            healthy.forEach((host, at) -> perHost.add(java.time.Duration.between(drained.get(host), at).toMillis()));
            Collections.sort(perHost);
            double median = perHost.get(perHost.size() / 2);
            double ideal = Math.ceil(50 / 5.0) * median;
            double actual = java.time.Duration.between(started, completed).toMillis();
            System.out.printf("%nBENCH 50 agents, maxUnavailable 5, 1 s health check: rollout %.0f ms (RolloutStarted -> "
                    + "RolloutCompleted on the log); per host (drained -> healthy) median %.0f ms; ideal 10 batches x "
                    + "median = %.0f ms; ratio %.2f%n", actual, median, ideal, actual / ideal);
            System.out.printf("BENCH most hosts in a slot at once: %d%n", fleet.agents.get(0).fold().rollout().peakHolding());
        }
    }

    private static boolean started(Agent agent, Instant after) {
        Instant at = agent.downloadStarted();
        return at != null && !at.isBefore(after);
    }

    private static List<Instant> records(FleetFixture fleet, Class<?> type) {
        CloudEventCodec codec = new CloudEventCodec();
        List<Instant> times = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : fleet.kafka.readToEnd(Topics.ROLLOUTS,
                r -> fleet.set.equals(r.key()))) {
            try {
                if (type.isInstance(codec.decode(record).data())) {
                    times.add(Instant.ofEpochMilli(record.timestamp()));
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return times;
    }

    private static Map<String, Instant> byHost(FleetFixture fleet, Class<?> type) {
        CloudEventCodec codec = new CloudEventCodec();
        Map<String, Instant> times = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : fleet.kafka.readToEnd(Topics.ROLLOUTS,
                r -> fleet.set.equals(r.key()))) {
            try {
                Event<?> event = codec.decode(record);
                if (type.isInstance(event.data())) {
                    String host = event.data() instanceof HostDrained d ? d.hostId() : ((HostHealthy) event.data()).hostId();
                    times.putIfAbsent(host, Instant.ofEpochMilli(record.timestamp()));
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return times;
    }

    private static double at(List<Long> sorted, double quantile) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size()))) / 1000.0;
    }
}
