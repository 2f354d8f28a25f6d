package dev.slipway.events.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.DeploymentSetEvent;

/**
 * A member's word on what its set's log says up to a point, so that an agent starts from it instead of the
 * beginning and history before it may be deleted. {@code state} is the fold of every record of the set up to
 * and including {@code offset}, in the agents' own format: any member computes the same state from the same
 * log, so duplicates are harmless. Every record of the set between {@code offset} and {@code readTo} (the
 * writer's position) is a checkpoint, so a reader continues at {@code readTo}. The fold ignores checkpoints.
 * Topic {@code slipway.rollouts}, key: deployment set.
 */
public record SetCheckpointed(String deploymentSet, long offset, long readTo, JsonNode state)
        implements DeploymentSetEvent, SetLogEvent {
    public static final String TYPE = "dev.slipway.set.checkpointed.v1";

    @Override
    public <R> R accept(SetLogEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
