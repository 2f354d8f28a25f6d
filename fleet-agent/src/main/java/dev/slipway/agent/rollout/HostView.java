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
 * @param released  what the newest signed channel state this host accepted releases to it
 * @param now       the host's clock
 */
public record HostView(String me, String instance, boolean canary, boolean rejoin, String running,
        Set<String> installed, Map<String, RolloutPolicy> recipes, Set<String> prepared, Map<String, String> refused,
        Map<String, Instant> retryAt, Map<String, Instant> done, Released released, Instant now) {

    /**
     * A release of the host's channel: the {@code ArtifactDeployable} that announced it (its id names the rollout),
     * the offset, in the set's partition of {@code slipway.deployables}, of the channel state that first named it,
     * and when this host first read that state (by its clock).
     */
    public record Deployable(String eventId, long offset, String channel, String recipe, String artifact,
            Instant seenAt) {
    }

    /**
     * What the host's signed channel state allows.
     *
     * @param latest  the channel's current release; null when none (never flagged, or held after a revocation)
     * @param revoked reasons by revoked artifact digest
     * @param problem why the host acts on no new release now (no state yet, expired, refused); null when fresh
     */
    public record Released(Deployable latest, Map<String, String> revoked, String problem) {

        public Released {
            revoked = Map.copyOf(revoked);
        }

        /** A fresh state whose channel runs {@code latest}, with nothing revoked. */
        public static Released fresh(Deployable latest) {
            return new Released(latest, Map.of(), null);
        }
    }

    /** The newest release of the host's channel, when its state is fresh; null otherwise. */
    public Deployable latest() {
        return released.problem() == null ? released.latest() : null;
    }

    /**
     * Whether the host may take part in {@code rollout} now: what a fresh state says its channel runs. A rollout
     * the state moved past waits for the one that supersedes it.
     */
    public boolean releases(Rollout rollout) {
        Deployable latest = latest();
        return latest != null && latest.recipe().equals(rollout.recipe()) && latest.artifact().equals(rollout.artifact())
                && !released.revoked().containsKey(rollout.artifact());
    }

    /** Why the rollout's artifact must not be installed: revoked; null when it is not. */
    public String revocationOf(Rollout rollout) {
        String reason = released.revoked().get(rollout.artifact());
        return reason == null ? null : rollout.artifact() + " was revoked: " + reason;
    }
}
