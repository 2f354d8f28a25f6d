package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.runs;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.rollout.Rollout;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.HoldReleased;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named holds on a set's log, judged by agents in one JVM over a real broker with real service processes. */
class HoldsOverKafkaTest {

    @TempDir
    Path root;

    @Test
    void aHoldKeepsEveryHostOnItsVersionUntilReleasedAndOneNotReleasedInTimeFailsTheRollout() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(3, 1);
            FleetFixture.Release v1 = fleet.release("v1", true, 1, "PT60S");
            fleet.deploy(v1);
            await("v1 everywhere", () -> fleet.completed(v1));

            append(fleet, new HoldPlaced(fleet.set, "db-migration", Duration.ofMinutes(5), HoldPlaced.FAIL,
                    "service:migrator", "schema 42"));
            await("every agent knows the hold", () -> fleet.agents.stream()
                    .allMatch(a -> a.fold().holds().containsKey("db-migration")));
            FleetFixture.Release v2 = fleet.release("v2", true, 1, "PT60S");
            fleet.deploy(v2);

            await("every host claimed v2 and none was granted a slot", () -> fleet.agents.stream().allMatch(a -> {
                Rollout r = a.fold().rollout();
                return r.artifact().equals(v2.artifact().toString()) && r.status() == Rollout.Status.PAUSED
                        && a.fold().members().keySet().stream().allMatch(r::claimed);
            }));
            for (Agent agent : fleet.agents) {
                assertTrue(agent.fold().slots().isEmpty(), "held: no slot forward");
                assertTrue(runs(agent, v1.artifact()), "held: still on v1");
            }

            append(fleet, new HoldReleased(fleet.set, "db-migration", "service:migrator"));
            await("v2 everywhere once released", () -> fleet.completed(v2));

            append(fleet, new HoldPlaced(fleet.set, "lb", Duration.ofSeconds(3), HoldPlaced.FAIL, "service:lb",
                    "deregistering"));
            FleetFixture.Release v3 = fleet.release("v3", true, 1, "PT60S");
            fleet.deploy(v3);

            await("the rollout of v3 failed at the hold's deadline", () -> fleet.agents.stream().allMatch(a -> {
                Rollout r = a.fold().rollout();
                return r.artifact().equals(v3.artifact().toString()) && r.status() == Rollout.Status.ABORTED
                        && r.announced() && a.fold().holds().isEmpty();
            }));
            Rollout aborted = fleet.agents.get(0).fold().rollout();
            assertTrue(aborted.reason().contains("hold lb (service:lb: deregistering) was not released by its deadline"),
                    aborted.reason());
            assertTrue(aborted.switched().isEmpty(), "nobody switched while it held: " + aborted.switched());
            for (Agent agent : fleet.agents) {
                assertTrue(runs(agent, v2.artifact()), "still on v2");
            }
        }
    }

    /** As the release service's relay appends a command to the set's log. */
    private static void append(FleetFixture fleet, SlipwayEvent entry) throws Exception {
        fleet.send(Event.of("/release-service/relay", entry));
    }
}
