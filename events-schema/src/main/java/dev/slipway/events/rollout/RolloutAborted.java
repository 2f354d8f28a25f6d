package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** The rollout failed beyond its tolerance; every switched host rolls back. */
public record RolloutAborted(String deploymentSet, String rolloutId, String reason) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.rollout.aborted.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
