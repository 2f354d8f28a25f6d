package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.freePort;
import static dev.slipway.agent.run.FleetFixture.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.rollout.Rollout;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.events.Event;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.wire.CloudEventCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts that are dead or removed, over the real broker with the faulty host's agent in a process of its own
 * (killed with SIGKILL): each rollout ends without an operator.
 */
class HostFaultsOverKafkaTest {

    private final List<Process> processes = new ArrayList<>();
    private final CloudEventCodec codec = new CloudEventCodec();

    @TempDir
    Path root;

    @AfterEach
    void killLeftovers() {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Test
    void aCanaryKilledWhileIdleIsCountedLostAndAnotherHostStandsInSoTheReleaseCompletes() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(2, 0);
            int canaryPort = freePort();
            Process canary = agentProcess(fleet, "host-9", canaryPort, true);
            await("three members", () -> fleet.agents.get(0).fold().members().size() == 3);
            fleet.deploy(fleet.release("v1", true, new FleetFixture.Policy(1, 0, "PT60S", "PT2S", null, "PT20S"),
                    FleetFixture.BUILDER));
            await("v1 everywhere, the canary first", () -> "v1".equals(get(canaryPort, "/version"))
                    && completed(fleet, "v1"));

            canary.destroyForcibly().waitFor();
            FleetFixture.Release v2 = fleet.release("v2", true,
                    new FleetFixture.Policy(1, 0, "PT60S", "PT2S", null, "PT5S"), FleetFixture.BUILDER);
            Instant deployed = Instant.now();
            fleet.deploy(v2);

            await("v2 completed without the dead canary", () -> completed(fleet, "v2"));
            Duration took = Duration.between(deployed, Instant.now());
            Rollout done = fleet.agents.get(0).fold().rollout();
            assertEquals(List.of("host-9"), List.copyOf(done.lost()), "the dead canary is lost, not failed");
            assertTrue(done.failed().isEmpty(), done.failed().toString());
            assertEquals(1, done.standIns().size(), "one host took the canary's place: " + done.standIns());
            assertTrue(took.compareTo(Duration.ofSeconds(40)) < 0, "past the dead canary in " + took);
            System.out.printf("BENCH dead canary: v2 completed %d ms after its deployable (progress deadline 5 s)%n",
                    took.toMillis());
            for (int port : fleet.ports) {
                assertEquals("v2", get(port, "/version"));
            }

            agentProcess(fleet, "host-9", canaryPort, true);
            await("the canary, back, takes v2 as a late host", () -> "v2".equals(get(canaryPort, "/version"))
                    && fleet.agents.get(0).fold().rollout().healthy().contains("host-9"));
        }
    }

    @Test
    void removingAHostThatHoldsASlotLetsTheRolloutCompleteAndKeepsTheHostOutWhenItRestarts() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(2, 0);
            int port = freePort();
            Process doomed = agentProcess(fleet, "host-7", port, false);
            await("three members", () -> fleet.agents.get(0).fold().members().size() == 3);
            // The running release's manifest drains it: v1's makes host-7 drain for a minute when v2 replaces it.
            fleet.deploy(fleet.release("v1", true,
                    new FleetFixture.Policy(1, 0, "PT120S", "PT2S", "[ \"$HOST\" = host-7 ] && sleep 60; true"),
                    FleetFixture.BUILDER));
            await("v1 everywhere", () -> "v1".equals(get(port, "/version")) && completed(fleet, "v1"));
            FleetFixture.Release v2 = fleet.release("v2", true,
                    new FleetFixture.Policy(1, 0, "PT120S", "PT90S", null), FleetFixture.BUILDER);
            fleet.deploy(v2);
            await("host-7 holds a slot", () -> fleet.agents.get(0).fold().rollout().artifact()
                    .equals(v2.artifact().toString()) && fleet.agents.get(0).fold().rollout().holds("host-7"));
            await("host-7 is draining v1 when it is killed and removed", () -> doomed.descendants()
                    .anyMatch(p -> p.info().commandLine().orElse("").contains("sleep 60")));
            doomed.descendants().forEach(ProcessHandle::destroyForcibly);
            doomed.destroyForcibly().waitFor();
            Instant removed = Instant.now();
            try (KafkaProducer<String, byte[]> producer = fleet.kafka.producer()) {
                producer.send(codec.encode(Event.of("/release-service/test", new HostLeft(fleet.set, "host-7")))).get();
            }

            await("v2 completed without host-7", () -> completed(fleet, "v2"));
            Duration took = Duration.between(removed, Instant.now());
            assertTrue(took.compareTo(Duration.ofSeconds(60)) < 0, "long before the 120 s slot deadline: " + took);
            assertTrue(fleet.agents.get(0).fold().removed().contains("host-7"));

            agentProcess(fleet, "host-7", port, false);
            await("the restarted agent of the removed host stands aside and says why", () -> fleet.latestState("host-7")
                    .map(state -> state.problem() != null && state.problem().contains("was removed from set"))
                    .orElse(false));
            assertFalse(fleet.agents.get(0).fold().members().containsKey("host-7"), "it did not join again");
        }
    }

    private static boolean completed(FleetFixture fleet, String version) {
        return fleet.agents.stream().allMatch(a -> {
            Rollout r = a.fold().rollout();
            return r != null && r.status() == Rollout.Status.COMPLETED && r.announced()
                    && version.equals(versionOf(fleet, a));
        });
    }

    private static String versionOf(FleetFixture fleet, Agent agent) {
        return get(fleet.ports.get(fleet.agents.indexOf(agent)), "/version");
    }

    private Process agentProcess(FleetFixture fleet, String id, int port, boolean canary) throws IOException {
        Process process = AgentProcess.start(id, fleet.set, root.resolve(id), port, fleet.kafka.bootstrapServers(),
                root.resolve("store"), BuilderKeys.encode(FleetFixture.BUILDER.getPublic()), canary);
        processes.add(process);
        return process;
    }
}
