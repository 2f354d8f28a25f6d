package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.rollout.Rollout;
import dev.slipway.events.Event;
import dev.slipway.events.rollout.GateApproved;
import dev.slipway.events.rollout.GateReached;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rollout gated on an approval after its canary, judged by agents over a real broker with real services. */
class GatesOverKafkaTest {

    @TempDir
    Path root;

    @Test
    void theHostsAfterTheCanaryWaitForAnApprovalAndWithoutOneInTimeTheRolloutAbortsAndTheCanaryGoesBack()
            throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            FleetFixture.Release v1 = threeHostsOnV1(fleet);

            fleet.approvalWithin = "PT5M";
            FleetFixture.Release v2 = fleet.release("v2", true, 2, "PT60S");
            fleet.deploy(v2);
            await("the canary took v2 and the others wait at the gate", () -> fleet.agents.stream().allMatch(a -> {
                Rollout r = a.fold().rollout();
                return r.artifact().equals(v2.artifact().toString()) && r.atGate()
                        && a.fold().members().keySet().stream().allMatch(r::claimed);
            }));
            assertTrue(runs(fleet.agents.get(0), v2.artifact()), "the canary runs v2");
            assertTrue(runs(fleet.agents.get(1), v1.artifact()) && runs(fleet.agents.get(2), v1.artifact()),
                    "the others still run v1");
            String rollout = fleet.agents.get(0).fold().rollout().id();
            await("a member said the rollout waits at its gate", () -> fleet.onTheLog(GateReached.class).stream()
                    .anyMatch(gate -> gate.rolloutId().equals(rollout)));

            fleet.send(Event.of("/release-service/relay", new GateApproved(fleet.set, rollout, "operator:bob",
                    "canary looks good")));
            await("v2 everywhere once approved", () -> fleet.completed(v2));
            assertEquals("operator:bob", fleet.agents.get(2).fold().rollout().approvedBy());

            fleet.approvalWithin = "PT3S";
            FleetFixture.Release v3 = fleet.release("v3", true, 2, "PT60S");
            fleet.deploy(v3);
            await("the rollout of v3 aborted for want of an approval", () -> fleet.agents.stream().allMatch(a -> {
                Rollout r = a.fold().rollout();
                return r.artifact().equals(v3.artifact().toString()) && r.status() == Rollout.Status.ABORTED
                        && r.announced();
            }));
            Rollout aborted = fleet.agents.get(0).fold().rollout();
            assertTrue(aborted.reason().contains("not approved within PT3S"), aborted.reason());
            assertEquals(Set.of("host-0"), aborted.switched(), "only the canary ever switched");
            await("every host on v2, the canary back on it", () -> fleet.agents.stream()
                    .allMatch(a -> runs(a, v2.artifact())));
        }
    }

    /** Three agents, {@code host-0} the canary, every one on v1 (no gate). */
    private static FleetFixture.Release threeHostsOnV1(FleetFixture fleet) throws Exception {
        fleet.startAgents(3, 1);
        FleetFixture.Release v1 = fleet.release("v1", true, 1, "PT60S");
        fleet.deploy(v1);
        await("v1 everywhere", () -> fleet.completed(v1));
        return v1;
    }

    @Test
    void withAnApprovalForEachBatchEveryBatchWaitsForItsOwn() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            threeHostsOnV1(fleet);

            fleet.approvalWithin = "PT5M";
            fleet.approveEachBatch = true;
            FleetFixture.Release v2 = fleet.release("v2", true, 1, "PT60S");
            fleet.deploy(v2);
            for (int batch = 0; batch < 2; batch++) {
                int waiting = batch;
                await("batch " + (batch + 1) + " waits at its gate", () -> fleet.agents.stream().allMatch(a -> {
                    Rollout r = a.fold().rollout();
                    return r.artifact().equals(v2.artifact().toString()) && r.atGate() && r.batch() == waiting;
                }));
                assertEquals(1 + batch, fleet.agents.stream().filter(a -> runs(a, v2.artifact())).count(),
                        "the canary and each approved batch of one host run v2, no more");
                String rollout = fleet.agents.get(0).fold().rollout().id();
                await("a member said batch " + (batch + 1) + " waits", () -> fleet.onTheLog(GateReached.class).stream()
                        .anyMatch(gate -> gate.rolloutId().equals(rollout) && gate.batch() == waiting));
                fleet.send(Event.of("/release-service/relay", new GateApproved(fleet.set, rollout, "operator:bob",
                        "batch " + (batch + 1) + " may go", batch)));
            }
            await("v2 everywhere once both batches were approved", () -> fleet.completed(v2));
        }
    }
}
