package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/** Someone asks for the named hold on the set to be lifted. */
public record HoldReleaseRequested(String deploymentSet, String name, String requestedBy)
        implements DeploymentSetEvent, CommandEvent {
    public static final String TYPE = "dev.slipway.holdrelease.requested.v1";

    @Override
    public <R> R accept(CommandEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
