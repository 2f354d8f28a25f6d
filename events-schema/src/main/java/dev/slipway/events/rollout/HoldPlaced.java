package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;
import java.time.Duration;

/**
 * A named hold on the set: while any hold is in place no rollout grants a slot forward (going back goes on).
 * It ends when released or, {@code until} after this record's log time, as {@code onExpiry} says: {@code release}
 * lets the rollout go on, {@code fail} aborts the rollout in progress. Placing a hold of the same name again
 * replaces it (a renewal: its deadline counts from the new record).
 */
public record HoldPlaced(String deploymentSet, String name, Duration until, String onExpiry, String placedBy,
        String reason) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.hold.placed.v1";
    public static final String RELEASE = "release";
    public static final String FAIL = "fail";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
