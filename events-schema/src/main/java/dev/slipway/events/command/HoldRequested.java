package dev.slipway.events.command;

import dev.slipway.events.DeploymentSetEvent;
import java.time.Duration;

/** Someone (an operator, or a service with its own token) asks for a named hold on the set; see HoldPlaced. */
public record HoldRequested(String deploymentSet, String name, Duration until, String onExpiry, String requestedBy,
        String reason) implements DeploymentSetEvent, CommandEvent {
    public static final String TYPE = "dev.slipway.hold.requested.v1";

    @Override
    public <R> R accept(CommandEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
