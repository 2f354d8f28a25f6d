package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * A rollout of an artifact to the set began; an agent that read the recipe appends it, duplicates fold to one.
 * {@code policy} is the recipe's rollout policy, fixed for the life of this rollout. {@code deployableOffset}
 * is the offset of the {@code ArtifactDeployable} it answers in the set's partition of
 * {@code slipway.deployables}: a rollout for an older deployable never supersedes one for a newer (null in
 * older events).
 */
public record RolloutStarted(
        String deploymentSet, String rolloutId, String channel, String recipe, String artifact, RolloutPolicy policy,
        Long deployableOffset)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.rollout.started.v1";

    public RolloutStarted(String deploymentSet, String rolloutId, String channel, String recipe, String artifact,
            RolloutPolicy policy) {
        this(deploymentSet, rolloutId, channel, recipe, artifact, policy, null);
    }

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
