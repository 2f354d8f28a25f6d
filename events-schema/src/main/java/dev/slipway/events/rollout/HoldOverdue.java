package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * An agent's word that a named hold is past its deadline by its own clock. Like {@link HostOverdue} it decides
 * nothing by what it says: the log's time on the record decides whether the hold ended.
 */
public record HoldOverdue(String deploymentSet, String name, String reportedBy) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.hold.overdue.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
