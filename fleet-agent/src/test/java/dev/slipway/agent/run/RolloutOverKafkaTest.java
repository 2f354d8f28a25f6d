package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.get;
import static dev.slipway.agent.run.FleetFixture.runs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.host.Hooks;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.events.agent.Health;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.AgentState;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Agents in one JVM, a real broker, real files, real service processes (busybox httpd). */
class RolloutOverKafkaTest {

    private final CloudEventCodec codec = new CloudEventCodec();

    @TempDir
    Path root;

    @Test
    void aGoodVersionReachesEveryHostWithinTheLimitAndABadOneIsCaughtByTheCanaryAndRolledBack() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(10, 1);
            await("every agent joined", () -> fleet.agents.stream().allMatch(a -> a.fold().members().size() == 10));
            FleetFixture.Release good = fleet.release("v1", true, 2, "PT60S");

            fleet.deploy(good);

            await("v1 on every host", () -> fleet.agents.stream().allMatch(a -> runs(a, good.artifact())));
            for (int port : fleet.ports) {
                await("host on " + port + " serves v1", () -> "v1".equals(get(port, "/version")));
            }
            Rollout first = fleet.agents.get(0).fold().rollout();
            await("the rollout completed", () -> fleet.agents.get(0).fold().rollout().status() == Rollout.Status.COMPLETED);
            assertTrue(first.peakHolding() <= 2, "at most maxUnavailable hosts held a slot: " + first.peakHolding());
            fleet.startAgents(1, 0);
            Agent late = fleet.agents.get(10);
            await("a host that joins late converges to v1", () -> runs(late, good.artifact())
                    && "v1".equals(get(fleet.ports.get(10), "/version")));

            FleetFixture.Release bad = fleet.release("v2", false, 2, "PT60S");
            fleet.deploy(bad);

            await("the rollout of v2 aborted", () -> fleet.agents.stream().allMatch(a -> a.fold().rollout() != null
                    && a.fold().rollout().artifact().equals(bad.artifact().toString())
                    && a.fold().rollout().status() == Rollout.Status.ABORTED));
            Rollout aborted = fleet.agents.get(0).fold().rollout();
            assertEquals(Set.of("host-0"), aborted.switched(), "only the canary ever switched");
            assertTrue(aborted.peakHolding() <= 1, "non-canaries waited for the canary");
            await("every host back on v1", () -> fleet.agents.stream().allMatch(a -> runs(a, good.artifact())));
            await("the canary serves v1 again", () -> "v1".equals(get(fleet.ports.get(0), "/version")));
            await("the canary reports itself healthy on v1 right after going back", () -> fleet.latestState("host-0")
                    .map(state -> state.health() == Health.HEALTHY
                            && good.artifact().toString().equals(state.current()))
                    .orElse(false));
            assertTrue(aborted.reason().contains("host-0"), aborted.reason());
        }
    }

    @Test
    void hostsRunningOneVersionReadOnlyTheChunksOfTheNextThatChanged() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.payload = new byte[8 * 1024 * 1024];
            new java.util.Random(11).nextBytes(fleet.payload);
            fleet.startAgents(3, 0);
            await("every agent joined", () -> fleet.agents.stream().allMatch(a -> a.fold().members().size() == 3));
            FleetFixture.Release v1 = fleet.release("v1", true, 1, "PT60S");
            fleet.deploy(v1);
            await("v1 on every host", () -> fleet.agents.stream().allMatch(a -> runs(a, v1.artifact())));
            long before = fleet.reads.bytesRead();
            fleet.payload[4 * 1024 * 1024] ^= 1;

            FleetFixture.Release v2 = fleet.release("v2", true, 1, "PT60S");
            fleet.deploy(v2);

            for (int port : fleet.ports) {
                await("host on " + port + " serves v2", () -> "v2".equals(get(port, "/version")));
            }
            long read = fleet.reads.bytesRead() - before;
            assertTrue(read < 3 * fleet.payload.length / 10, "3 hosts read " + read + " bytes of the store for v2");
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(fleet.payload, Files.readAllBytes(root.resolve("host-" + i + "/current")
                        .toRealPath().resolve("www/payload")));
            }
        }
    }

    @Test
    void aTreeFoundDamagedAtStartIsFetchedAgainAndTheServiceRestartedFromIt() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(1, 0);
            FleetFixture.Release v1 = fleet.release("v1", true, 1, "PT60S");
            fleet.deploy(v1);
            int port = fleet.ports.get(0);
            await("the host serves v1", () -> "v1".equals(get(port, "/version")));
            fleet.stopAgent(0);
            // What a power loss leaves when the data of a file never reached the disk: its name, and no bytes.
            Path version = root.resolve("host-0/current").toRealPath().resolve("www/version");
            version.toFile().setWritable(true);
            Files.write(version, new byte[0]);

            fleet.run(0);

            await("the host serves v1 again, from a whole tree", () -> "v1".equals(get(port, "/version")));
            assertEquals("v1", Files.readString(root.resolve("host-0/current").toRealPath().resolve("www/version")));
            await("the agent reports itself healthy on v1", () -> fleet.latestState("host-0")
                    .map(state -> state.health() == Health.HEALTHY && v1.artifact().toString().equals(state.current()))
                    .orElse(false));
        }
    }

    @Test
    void anIdleAgentSaysItIsAliveEveryHeartbeatSoThatASilentOneShowsAsStale() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(1, 0);
            await("the agent said where it stands", () -> fleet.latestState("host-0").isPresent());
            AgentState first = fleet.latestState("host-0").orElseThrow();

            await("the same state said again, a heartbeat later", () -> fleet.latestState("host-0")
                    .map(state -> !state.lastSeen().isBefore(first.lastSeen().plus(Agent.HEARTBEAT))
                            && state.health() == first.health() && java.util.Objects.equals(state.current(),
                                    first.current()))
                    .orElse(false));
        }
    }

    @Test
    void operatorHooksCanRunTheServiceInsteadOfTheAgent() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            // As `systemctl restart` would: the hook starts a daemon the agent does not supervise, and returns.
            String pidFile = root.resolve("hooked-$PORT.pid").toString();
            fleet.hooks = new Hooks.Commands(
                    List.of("/bin/busybox", "sh", "-c", "cd \"$SLIPWAY_CURRENT\" && "
                            + "{ /bin/busybox httpd -f -p 127.0.0.1:$PORT -h www & echo $! > " + pidFile + "; }"),
                    List.of(),
                    List.of("/bin/busybox", "sh", "-c", "kill $(cat " + pidFile + ") && rm " + pidFile));
            fleet.startAgents(2, 0);
            await("joined", () -> fleet.agents.get(0).fold().members().size() == 2);
            FleetFixture.Release v1 = fleet.release("v1", true, 1, "PT60S");
            fleet.deploy(v1);
            await("v1 served through the hooks", () -> fleet.ports.stream().allMatch(p -> "v1".equals(get(p, "/version"))));

            FleetFixture.Release v2 = fleet.release("v2", true, 1, "PT60S");
            fleet.deploy(v2);

            await("v2 served through the hooks", () -> fleet.ports.stream().allMatch(p -> "v2".equals(get(p, "/version"))));
            assertTrue(fleet.agents.stream().allMatch(a -> runs(a, v2.artifact())));
        }
    }

    @Test
    void anArtifactSignedByAnUntrustedBuilderOrDamagedInTheStoreIsNeverSwitchedToAndSaysWhy() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(2, 0);
            await("every agent joined", () -> fleet.agents.stream().allMatch(a -> a.fold().members().size() == 2));
            FleetFixture.Release good = fleet.release("v1", true, 1, "PT60S");
            fleet.deploy(good);
            await("v1 on every host", () -> fleet.agents.stream().allMatch(a -> runs(a, good.artifact())));

            FleetFixture.Release forged = fleet.release("v2-forged", true, 1, "PT60S", BuilderKeys.generate());
            fleet.deploy(forged);
            List<String> refusals = awaitRefusals(fleet, forged, 1);
            assertTrue(refusals.stream().allMatch(r -> r.contains("provenance does not verify")), refusals.toString());
            await("the forged rollout aborted", () -> fleet.agents.get(0).fold().rollout().status()
                    == Rollout.Status.ABORTED);

            FleetFixture.Release damaged = fleet.release("v3-damaged", true, 1, "PT60S");
            Path stored = fleet.store.pathOf(damaged.artifact());
            stored.toFile().setWritable(true);
            byte[] bytes = Files.readAllBytes(stored);
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] ^= 1; // every byte, so whichever chunks a host lacks and fetches are damaged
            }
            Files.write(stored, bytes);
            fleet.deploy(damaged);
            List<String> damage = awaitRefusals(fleet, damaged, 1);
            assertTrue(damage.stream().allMatch(r -> r.contains("does not match its digest")), damage.toString());
            await("the damaged rollout aborted", () -> fleet.agents.get(0).fold().rollout().status()
                    == Rollout.Status.ABORTED);

            assertTrue(fleet.agents.stream().allMatch(a -> runs(a, good.artifact())), "every host still runs v1");
            List<String> reported = new ArrayList<>();
            for (var record : fleet.kafka.readToEnd(Topics.AGENTS, r -> r.key().startsWith("host-"))) {
                if (codec.decode(record).data() instanceof AgentState state && fleet.set.equals(state.deploymentSet())
                        && state.problem() != null) {
                    reported.add(state.agentId() + ": " + state.problem());
                }
            }
            assertTrue(reported.stream().anyMatch(r -> r.contains("provenance does not verify")), reported.toString());
            assertTrue(reported.stream().anyMatch(r -> r.contains("does not match its digest")), reported.toString());
            assertTrue(fleet.agents.stream().allMatch(a -> a.fold().rollout().switched().isEmpty()));
        }
    }

    /** The reasons hosts wrote on the log for refusing the release, once {@code count} have. */
    private List<String> awaitRefusals(FleetFixture fleet, FleetFixture.Release release, int count)
            throws InterruptedException {
        List<String> reasons = new ArrayList<>();
        await(count + " hosts refuse " + release.version(), () -> {
            reasons.clear();
            fleet.kafka.readToEnd(Topics.ROLLOUTS, record -> fleet.set.equals(record.key())).forEach(record -> {
                try {
                    if (codec.decode(record).data() instanceof HostFailed failed && rolloutOf(fleet, release, failed)) {
                        reasons.add(failed.reason());
                    }
                } catch (EventDecodingException e) {
                    throw new AssertionError(e);
                }
            });
            return reasons.size() >= count;
        });
        return reasons;
    }

    private static boolean rolloutOf(FleetFixture fleet, FleetFixture.Release release, HostFailed failed) {
        Rollout rollout = fleet.agents.get(0).fold().rollout();
        return rollout != null && rollout.id().equals(failed.rolloutId())
                && rollout.artifact().equals(release.artifact().toString());
    }


}
