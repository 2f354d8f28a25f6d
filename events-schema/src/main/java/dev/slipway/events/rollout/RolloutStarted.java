package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * A rollout of an artifact to the set began; the first agent to see the deployable appends it, duplicates
 * fold to one. {@code policy} is the recipe's rollout policy, fixed for the life of this rollout.
 */
public record RolloutStarted(
        String deploymentSet, String rolloutId, String channel, String recipe, String artifact, RolloutPolicy policy)
        implements DeploymentSetEvent {
    public static final String TYPE = "dev.slipway.rollout.started.v1";
}
