package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * A peer's word that a host is past a deadline by its own clock: {@code slot} (holding its slot too long) or
 * {@code progress} (not claiming). It decides nothing by what it says: it puts a record on the log, and the
 * log's time on that record decides whether the deadline passed (the host then counts as failed, or lost).
 */
public record HostOverdue(
        String deploymentSet, String rolloutId, String hostId, String deadline, String reason, String reportedBy)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.host.overdue.v1";
    public static final String SLOT = "slot";
    public static final String PROGRESS = "progress";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
