package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** A host announced itself as a member of the set; canary hosts go first in every rollout. */
public record HostJoined(String deploymentSet, String hostId, boolean canary) implements DeploymentSetEvent {
    public static final String TYPE = "dev.slipway.host.joined.v1";
}
