package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** A host switched {@code current} to the new generation; {@code fromArtifact} is null on a first install. */
public record HostSwitched(
        String deploymentSet, String rolloutId, String hostId, String fromArtifact, String toArtifact, long generation)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.host.switched.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
