package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/**
 * An operator approves the set's rollout past its gate; {@code rolloutId} is the rollout they saw waiting and
 * {@code batch} the batch it waited with (absent in older records: 0).
 */
public record ApprovalRequested(String deploymentSet, String rolloutId, String requestedBy, String reason,
        Integer batch) implements DeploymentSetEvent, CommandEvent {
    public static final String TYPE = "dev.slipway.approval.requested.v1";

    public ApprovalRequested {
        batch = batch == null ? 0 : batch;
    }

    public ApprovalRequested(String deploymentSet, String rolloutId, String requestedBy, String reason) {
        this(deploymentSet, rolloutId, requestedBy, reason, 0);
    }

    @Override
    public <R> R accept(CommandEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
