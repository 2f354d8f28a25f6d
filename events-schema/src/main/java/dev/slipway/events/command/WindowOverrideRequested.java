package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/** An operator asks to let the set's rollout go on outside its deployment windows; see WindowOverridden. */
public record WindowOverrideRequested(String deploymentSet, String rolloutId, String requestedBy, String reason)
        implements DeploymentSetEvent, CommandEvent {
    public static final String TYPE = "dev.slipway.windowoverride.requested.v1";

    @Override
    public <R> R accept(CommandEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
