package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;

/** An operator approves the set's rollout past its gate; {@code rolloutId} is the rollout they saw waiting. */
public record ApprovalRequested(String deploymentSet, String rolloutId, String requestedBy, String reason)
        implements DeploymentSetEvent {
    public static final String TYPE = "dev.slipway.approval.requested.v1";
}
