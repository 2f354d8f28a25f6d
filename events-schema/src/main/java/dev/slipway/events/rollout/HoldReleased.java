package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/** The named hold on the set is lifted; a rollout held by nothing else goes on. */
public record HoldReleased(String deploymentSet, String name, String releasedBy) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.hold.released.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
