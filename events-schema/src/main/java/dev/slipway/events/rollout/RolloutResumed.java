package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** A paused rollout grants slots again. */
public record RolloutResumed(String deploymentSet, String rolloutId, String resumedBy) implements DeploymentSetEvent {
    public static final String TYPE = "dev.slipway.rollout.resumed.v1";
}
