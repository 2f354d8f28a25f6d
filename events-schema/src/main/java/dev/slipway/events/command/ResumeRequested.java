package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/** An operator releases a held rollout. */
public record ResumeRequested(String deploymentSet, String rolloutId, String requestedBy) implements DeploymentSetEvent, CommandEvent {
    public static final String TYPE = "dev.slipway.resume.requested.v1";

    @Override
    public <R> R accept(CommandEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
