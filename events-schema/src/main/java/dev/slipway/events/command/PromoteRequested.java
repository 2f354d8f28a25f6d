package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/** An operator asks for a recipe to become deployable on a channel of the set. */
public record PromoteRequested(
        String deploymentSet, String channel, String recipe, String requestedBy)
        implements DeploymentSetEvent, CommandEvent {
    public static final String TYPE = "dev.slipway.promote.requested.v1";

    @Override
    public <R> R accept(CommandEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
