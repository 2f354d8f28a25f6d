package dev.slipway.events.rollout;

import java.time.Duration;

/**
 * How a set takes a new version; it travels from the recipe to the agents inside {@link RolloutStarted}.
 *
 * @param maxUnavailable   how many hosts may hold a slot (be out of service) at once; at least 1
 * @param failureTolerance how many hosts may fail before the rollout aborts and everyone rolls back
 * @param slotDeadline     how long a host may hold a slot before peers count it as failed
 * @param drainTimeout     how long a host waits for in-flight work before it stops the old version
 */
public record RolloutPolicy(int maxUnavailable, int failureTolerance, Duration slotDeadline, Duration drainTimeout) {
}
