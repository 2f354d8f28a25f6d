package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * An operator lets the rollout go on outside its deployment windows ({@link RolloutPolicy#windows()}): from this
 * record on it grants slots whatever the time. The reason is recorded for the audit trail.
 */
public record WindowOverridden(String deploymentSet, String rolloutId, String overriddenBy, String reason)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.window.overridden.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
