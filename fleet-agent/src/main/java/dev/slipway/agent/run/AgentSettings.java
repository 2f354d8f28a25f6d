package dev.slipway.agent.run;

import dev.slipway.agent.host.Hooks;
import dev.slipway.agent.host.SwitchHooks;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;

/**
 * One agent's identity and host.
 *
 * @param serviceEnvironment the service's whole environment (nothing of the agent's leaks into it); its
 *                           entries also fill {@code ${NAME}} in the recipe's health check
 * @param trustedBuilders    builder keys whose provenance this host accepts
 * @param requiredBuilders   how many of them must each have signed provenance of an artifact before this host
 *                           installs it (as many as the set's agreement in the store requires)
 * @param releaseKeys        the store's release keys, by key id: the channel states this host acts on
 * @param hooks              the operator's activation commands; null: the agent supervises the service itself,
 *                           from the artifact's manifest
 * @param rejoin             join the set again although it removed this host (the operator adds it back)
 * @param checkpointRecords  the fewest records of the set between two of its checkpoints
 * @param switchHooks        the operator's commands before draining and after a healthy switch; null for none
 */
public record AgentSettings(String agentId, String deploymentSet, String channel, Path root, boolean canary,
        int keepGenerations, Map<String, String> serviceEnvironment, Map<String, PublicKey> trustedBuilders,
        Map<String, PublicKey> releaseKeys, Hooks.Commands hooks, boolean rejoin, long checkpointRecords,
        int requiredBuilders, SwitchHooks.Commands switchHooks) {

    /** As {@code slipway.agent.checkpoint-records} defaults. */
    public static final long CHECKPOINT_RECORDS = 1_000;

    public AgentSettings {
        serviceEnvironment = Map.copyOf(serviceEnvironment);
        trustedBuilders = Map.copyOf(trustedBuilders);
        releaseKeys = Map.copyOf(releaseKeys);
    }

    public AgentSettings(String agentId, String deploymentSet, String channel, Path root, boolean canary,
            int keepGenerations, Map<String, String> serviceEnvironment, Map<String, PublicKey> trustedBuilders,
            Map<String, PublicKey> releaseKeys, Hooks.Commands hooks) {
        this(agentId, deploymentSet, channel, root, canary, keepGenerations, serviceEnvironment, trustedBuilders,
                releaseKeys, hooks, false, CHECKPOINT_RECORDS, 1, null);
    }
}
