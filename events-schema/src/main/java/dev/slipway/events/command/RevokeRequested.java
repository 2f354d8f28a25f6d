package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/** An operator asks for a recipe to be revoked: never installed again. */
public record RevokeRequested(
        String deploymentSet, String recipe, String requestedBy, String reason)
        implements DeploymentSetEvent, CommandEvent {
    public static final String TYPE = "dev.slipway.revoke.requested.v1";

    @Override
    public <R> R accept(CommandEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
