package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** A switched host passed its health check; its slot is free again. */
public record HostHealthy(String deploymentSet, String rolloutId, String hostId) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.host.healthy.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
