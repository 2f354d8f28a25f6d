package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * An agent's word that the rollout's next deployment window has opened by its own clock. Like
 * {@link HostOverdue} it decides nothing by what it says: it brings a record, whose log time the fold judges.
 */
public record WindowOpened(String deploymentSet, String rolloutId, String reportedBy) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.window.opened.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
