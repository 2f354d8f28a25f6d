package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** A host finished draining; {@code clean} is false when the drain bound cut in-flight work short. */
public record HostDrained(
        String deploymentSet, String rolloutId, String hostId, boolean clean)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.host.drained.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
