package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** A host failed its rollout step, as reported by itself or, for a silent host past its deadline, by a peer. */
public record HostFailed(
        String deploymentSet, String rolloutId, String hostId, String reason, String reportedBy)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.host.failed.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
