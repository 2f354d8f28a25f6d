package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** Every member of the set runs the rollout's artifact and is healthy. */
public record RolloutCompleted(String deploymentSet, String rolloutId) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.rollout.completed.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
