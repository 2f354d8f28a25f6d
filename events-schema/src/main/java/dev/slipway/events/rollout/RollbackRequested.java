package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * The set goes back to its previous version. On {@code slipway.commands} it is an operator's intent; on {@code
 * slipway.rollouts} it is the log entry the agents act on. {@code rolloutId} is null when no rollout is named.
 */
public record RollbackRequested(
        String deploymentSet, String rolloutId, String requestedBy, String reason)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.rollback.requested.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
