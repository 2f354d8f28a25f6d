package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/** An operator asks for the set's rollout to hold. */
public record PauseRequested(String deploymentSet, String requestedBy, String reason) implements DeploymentSetEvent {
    public static final String TYPE = "dev.slipway.pause.requested.v1";
}
