package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** A host left the set; rollouts stop waiting for it. */
public record HostLeft(String deploymentSet, String hostId) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.host.left.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
