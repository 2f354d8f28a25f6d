package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * An agent's word that the rollout's gate is past its approval deadline by its own clock. Like
 * {@link HostOverdue} it decides nothing by what it says: the log's time on the record does.
 */
public record GateOverdue(String deploymentSet, String rolloutId, String reportedBy) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.gate.overdue.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
