package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * The rollout's canaries are done and its policy gates the rest on an approval: said by a member for the
 * operator's view (one id however many say it). The fold decides the gate by itself; this record only tells.
 */
public record GateReached(String deploymentSet, String rolloutId, String reportedBy) implements DeploymentSetEvent {
    public static final String TYPE = "dev.slipway.gate.reached.v1";
}
