package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** An operator lets the rollout go past its gate: the hosts after the canaries may take the version. */
public record GateApproved(String deploymentSet, String rolloutId, String approvedBy, String reason)
        implements DeploymentSetEvent {
    public static final String TYPE = "dev.slipway.gate.approved.v1";
}
