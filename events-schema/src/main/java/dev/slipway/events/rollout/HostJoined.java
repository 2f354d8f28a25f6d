package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * A host announced itself as a member of the set; canary hosts go first in every rollout. {@code instance} is
 * unique to one run of its agent: a later join of the same host id by another instance tells the earlier one
 * that a second agent uses its id (null in older events).
 */
public record HostJoined(String deploymentSet, String hostId, boolean canary, String instance)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.host.joined.v1";

    public HostJoined(String deploymentSet, String hostId, boolean canary) {
        this(deploymentSet, hostId, canary, null);
    }

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
