package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/** An operator takes a host out of its set for good (decommissioned): rollouts stop waiting for it. */
public record RemoveHostRequested(String deploymentSet, String hostId, String requestedBy, String reason)
        implements DeploymentSetEvent, CommandEvent {
    public static final String TYPE = "dev.slipway.removal.requested.v1";

    @Override
    public <R> R accept(CommandEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
