package dev.slipway.agent.rollout;

import dev.slipway.events.rollout.RolloutPolicy;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What one host knows that its set's log does not: who it is, its disk, what it prepared, its own clock.
 *
 * @param instance  unique to this run of the agent
 * @param rejoin    the operator asked this run to join again although the set removed the host
 * @param running   the artifact the host's {@code current} generation points at; null when none
 * @param installed artifacts unpacked and whole on disk
 * @param recipes   rollout policies of the recipes this host read, by recipe digest
 * @param prepared  rollouts whose artifact this host verified (provenance and digest) and installed
 * @param refused   rollouts this host cannot take, and why (verification failed): a later rollout tries again
 * @param retryAt   rollouts whose preparation failed for a reason that passes (store unreachable): when to retry
 * @param done      keys of the steps this run already carried out, and when by its clock
 * @param latest    the newest deployable of the host's set and channel; null when none
 * @param now       the host's clock
 */
public record HostView(String me, String instance, boolean canary, boolean rejoin, String running,
        Set<String> installed, Map<String, RolloutPolicy> recipes, Set<String> prepared, Map<String, String> refused,
        Map<String, Instant> retryAt, Map<String, Instant> done, Deployable latest, Instant now) {

    /** An {@code ArtifactDeployable} and where it stands in the set's partition of {@code slipway.deployables}. */
    public record Deployable(String eventId, long offset, String channel, String recipe, String artifact) {
    }
}
