package dev.slipway.events.artifact;

import dev.slipway.events.DeploymentSetEvent;

/**
 * The store's signed word on what a deployment set may run: {@code envelope} is a DSSE envelope (JSON) over the
 * set's channel state, signed with the store's release key. cas-service publishes it with every flag and
 * revocation and again on a schedule, as each state expires; agents act only on a state that verifies, is
 * not older than one they saw, and has not expired. {@code version} repeats the signed one, for readers that
 * do not verify. Topic {@code slipway.deployables}, key: deployment set.
 */
public record ChannelStateSigned(String deploymentSet, long version, String envelope) implements DeploymentSetEvent, DeployableEvent {
    public static final String TYPE = "dev.slipway.channel.state.v1";

    @Override
    public <R> R accept(DeployableEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
