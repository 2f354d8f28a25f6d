package dev.slipway.agent.rollout.sim;

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
}
