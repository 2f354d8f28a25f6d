package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * The rollout waits at a gate: its canaries are done and its policy gates the rest on an approval, or (with
 * {@link RolloutPolicy#approveEachBatch()}) the batch before is done. Said by a member for the operator's view
 * (one id per gate however many say it). The fold decides the gate by itself; this record only tells.
 *
 * @param batch which batch of hosts after the canaries waits: 0 for the first (and only, without
 *              {@code approveEachBatch}); absent in older records: 0
 */
public record GateReached(String deploymentSet, String rolloutId, String reportedBy, Integer batch)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.gate.reached.v1";

    public GateReached {
        batch = batch == null ? 0 : batch;
    }

    public GateReached(String deploymentSet, String rolloutId, String reportedBy) {
        this(deploymentSet, rolloutId, reportedBy, 0);
    }

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
