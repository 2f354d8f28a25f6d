package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * An operator lets the rollout go past its gate: the next batch of hosts after the canaries may take the version.
 *
 * @param batch the batch approved, as its {@link GateReached} named it: an approval of one batch never lets the
 *              next through; absent in older records: 0
 */
public record GateApproved(String deploymentSet, String rolloutId, String approvedBy, String reason, Integer batch)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.gate.approved.v1";

    public GateApproved {
        batch = batch == null ? 0 : batch;
    }

    public GateApproved(String deploymentSet, String rolloutId, String approvedBy, String reason) {
        this(deploymentSet, rolloutId, approvedBy, reason, 0);
    }

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
