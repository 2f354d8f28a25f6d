package dev.slipway.events.agent;

import java.time.Instant;

/**
 * The latest state of one agent. Topic {@code slipway.agents} (compacted), key: agent id.
 *
 * @param current  digest of the artifact the host runs; null before its first install
 * @param previous digest it would roll back to; null when there is none
 * @param problem  why the host refused or could not run the latest release; null when none
 */
public record AgentState(
        String agentId,
        String deploymentSet,
        String channel,
        String current,
        String previous,
        Health health,
        Instant lastSeen,
        String problem) implements AgentEvent {
    public static final String TYPE = "dev.slipway.agent.state.v1";

    @Override
    public String key() {
        return agentId;
    }

    @Override
    public <R> R accept(AgentEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
