package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/** An operator asks for the set's rollout to hold; {@code rolloutId} is the rollout they saw, null when none is named. */
public record PauseRequested(String deploymentSet, String rolloutId, String requestedBy, String reason)
        implements DeploymentSetEvent, CommandEvent {
    public static final String TYPE = "dev.slipway.pause.requested.v1";

    @Override
    public <R> R accept(CommandEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
