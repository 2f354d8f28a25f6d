package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** A paused rollout grants slots again. */
public record RolloutResumed(String deploymentSet, String rolloutId, String resumedBy) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.rollout.resumed.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
