package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.get;
import static dev.slipway.agent.run.FleetFixture.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hosts install only what their set's signed channel state releases: real broker, agents, files and services. */
class ReleaseTrustOverKafkaTest {

    private final CloudEventCodec codec = new CloudEventCodec();

    @TempDir
    Path root;

    @Test
    void aForgedDeployableOrAReplayedOldStateMovesNoHostBack() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(3, 1);
            await("every agent joined", () -> fleet.agents.stream().allMatch(a -> a.fold().members().size() == 3));
            FleetFixture.Release v1 = fleet.release("v1", true, 1, "PT60S");
            ChannelStateSigned oldState = fleet.deploy(v1);
            await("v1 on every host", () -> fleet.agents.stream().allMatch(a -> runs(a, v1.artifact())));
            FleetFixture.Release v2 = fleet.release("v2", true, 1, "PT60S");
            fleet.deploy(v2);
            await("v2 on every host", () -> fleet.agents.stream().allMatch(a -> runs(a, v2.artifact())));

            // What anyone who can write slipway.deployables could do: name the old build, or replay its state.
            fleet.send(Event.of("/attacker", new ArtifactDeployable(fleet.set, "staging", v1.recipe().toString(),
                    v1.artifact().toString(), "attacker")));
            fleet.send(Event.of("/attacker", oldState));

            await("each host says it refused the replayed state", () -> fleet.agents.stream().allMatch(a -> fleet
                    .latestState(agentId(fleet, a)).map(s -> s.problem() != null
                            && s.problem().contains("refused channel state v1")).orElse(false)));
            FleetFixture.Release v3 = fleet.release("v3", true, 1, "PT60S");
            fleet.deploy(v3);
            await("v3 on every host, read past the forged records", () -> fleet.agents.stream()
                    .allMatch(a -> runs(a, v3.artifact())));
            assertEquals(1, rolloutsOf(fleet, v1), "no rollout of v1 but the first");
            for (int port : fleet.ports) {
                assertEquals("v3", get(port, "/version"));
            }
        }
    }

    @Test
    void revokingWhatTheSetRunsRollsItBackToTheReleaseBeforeItAndWithNoneBeforeItHolds() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(3, 1);
            await("every agent joined", () -> fleet.agents.stream().allMatch(a -> a.fold().members().size() == 3));
            FleetFixture.Release v1 = fleet.release("v1", true, 2, "PT60S");
            fleet.deploy(v1);
            await("v1 on every host", () -> fleet.agents.stream().allMatch(a -> runs(a, v1.artifact())));
            FleetFixture.Release v2 = fleet.release("v2", true, 2, "PT60S");
            fleet.deploy(v2);
            await("v2 on every host", () -> fleet.agents.stream().allMatch(a -> runs(a, v2.artifact())));

            fleet.revoke(v2, "CVE-2026-7");

            await("every host back on v1", () -> fleet.agents.stream().allMatch(a -> runs(a, v1.artifact())));
            for (int port : fleet.ports) {
                await("serving v1 on " + port, () -> "v1".equals(get(port, "/version")));
            }

            fleet.revoke(v1, "CVE-2026-8");

            await("each host says it runs a revoked release and holds", () -> fleet.agents.stream()
                    .allMatch(a -> fleet.latestState(agentId(fleet, a)).map(s -> s.problem() != null
                            && s.problem().contains("revoked (CVE-2026-8), and holds")).orElse(false)));
            assertTrue(fleet.agents.stream().allMatch(a -> runs(a, v1.artifact())), "a hold keeps what runs");
        }
    }

    @Test
    void anExpiredStateInstallsNothingNewUntilItIsRenewed() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(2, 0);
            await("every agent joined", () -> fleet.agents.stream().allMatch(a -> a.fold().members().size() == 2));
            FleetFixture.Release v1 = fleet.release("v1", true, 2, "PT60S");
            fleet.stateValidity = Duration.ofSeconds(-1);

            fleet.deploy(v1);

            await("each host says its state expired", () -> fleet.agents.stream().allMatch(a -> fleet
                    .latestState(agentId(fleet, a)).map(s -> s.problem() != null && s.problem().contains("expired"))
                    .orElse(false)));
            assertTrue(fleet.agents.stream().noneMatch(a -> runs(a, v1.artifact())));

            fleet.stateValidity = Duration.ofHours(1);
            fleet.publish(fleet.channelState);

            await("v1 on every host once renewed", () -> fleet.agents.stream().allMatch(a -> runs(a, v1.artifact())));
        }
    }

    private static String agentId(FleetFixture fleet, Agent agent) {
        return "host-" + fleet.agents.indexOf(agent);
    }

    private long rolloutsOf(FleetFixture fleet, FleetFixture.Release release) {
        return fleet.kafka.readToEnd(Topics.ROLLOUTS, r -> fleet.set.equals(r.key())).stream()
                .map(this::decode).filter(e -> e instanceof RolloutStarted s
                        && s.artifact().equals(release.artifact().toString()))
                .map(e -> ((RolloutStarted) e).rolloutId()).distinct().count();
    }

    private Object decode(ConsumerRecord<String, byte[]> record) {
        try {
            return codec.decode(record).data();
        } catch (EventDecodingException e) {
            throw new AssertionError(e);
        }
    }
}
