package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** A host asks for a slot in the rollout; the fold grants slots in log order. */
public record HostClaimed(String deploymentSet, String rolloutId, String hostId) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.host.claimed.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
