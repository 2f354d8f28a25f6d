package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;

/**
 * A member of this set read, on another set's log, what this set's rollout waits for ({@link RolloutPolicy#after()}):
 * that set's last completed rollout is of the release (or recipe) the entry names. Written under an id derived from
 * the rollout and the entry, so every member that sees it appends one event to the fold.
 *
 * @param after              the policy's entry met: {@code "db-schema"} or {@code "db-schema@sha256:…"}
 * @param completedRolloutId the other set's rollout that completed it
 * @param recipe             that rollout's recipe
 */
public record PrerequisiteMet(String deploymentSet, String rolloutId, String after, String completedRolloutId,
        String recipe, String reportedBy) implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.prerequisite.met.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
