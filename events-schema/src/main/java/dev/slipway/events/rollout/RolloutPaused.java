package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** No new slot is granted until the rollout is resumed. */
public record RolloutPaused(
        String deploymentSet, String rolloutId, String pausedBy, String reason)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.rollout.paused.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
