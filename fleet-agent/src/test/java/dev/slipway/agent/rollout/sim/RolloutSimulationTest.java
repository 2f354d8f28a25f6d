package dev.slipway.agent.rollout.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.events.rollout.RolloutPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Thousands of seeded schedules of the real decision code under faults. A failure names its seed; replay it
 * with {@code -Dslipway.sim.seed=N} (and {@code -Dslipway.sim.runs=1}).
 */
class RolloutSimulationTest {

    @Test
    void everyRolloutEndsAndNoInvariantBreaksUnderSeededFaults() {
        long first = Long.getLong("slipway.sim.seed", 1);
        int runs = Integer.getInteger("slipway.sim.runs", 2000);
        long started = System.nanoTime();
        long events = 0;
        for (long seed = first; seed < first + runs; seed++) {
            events += new Simulation(seed).run();
        }
        System.out.printf("SIM %d schedules (seeds %d..%d), %d simulated events, in %.1f s%n", runs, first,
                first + runs - 1, events, (System.nanoTime() - started) / 1e9);
        System.out.println("SIM " + Simulation.STATS);
    }

    /**
     * 20 hosts whose canary is dead: the rollout completes past it within its policy's bound, the progress
     * deadline plus one slot's work for the stand-in and then for each batch of {@code maxUnavailable}.
     */
    @Test
    void twentyHostsGetPastADeadCanaryWithinThePolicysBound() {
        RolloutPolicy policy = new RolloutPolicy(2, 0, Duration.ofSeconds(60), Duration.ofSeconds(1),
                Duration.ofSeconds(30));
        // A host's turn in its slot: drain up to 1.1 s, three appends, health up to 2.2 s: under 10 s.
        Duration turn = Duration.ofSeconds(10);
        Duration bound = policy.progressDeadline().plus(turn.multipliedBy(1 + (19 + 1) / 2));
        List<Long> millis = new ArrayList<>();
        for (long seed = 1; seed <= 50; seed++) {
            Duration took = Simulation.pastADeadCanary(seed, 20, policy);
            assertTrue(took.compareTo(bound) <= 0, "seed " + seed + ": " + took + " past the bound " + bound);
            millis.add(took.toMillis());
        }
        Collections.sort(millis);
        System.out.printf("SIM 20 hosts, dead canary, maxUnavailable 2, progress deadline 30 s: RolloutStarted -> "
                + "RolloutCompleted median %.1f s, max %.1f s over 50 seeds; bound %d s%n", millis.get(25) / 1000.0,
                millis.get(49) / 1000.0, bound.toSeconds());
    }
}
