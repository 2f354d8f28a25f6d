package dev.slipway.agent.rollout;

import dev.slipway.events.rollout.DeploymentWindows;
import dev.slipway.events.rollout.RolloutPolicy;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One rollout of a set as the fold sees it. Changed only by {@link SetFold}. */
public final class Rollout {

    public enum Status {
        RUNNING, PAUSED, COMPLETED, ABORTED, SUPERSEDED;

        /** Decided: nothing more happens to the rollout itself (hosts may still go back after an abort). */
        public boolean ended() {
            return this == COMPLETED || this == ABORTED;
        }

        /** Still on its way: a failure beyond the tolerance aborts it. */
        public boolean underway() {
            return this == RUNNING || this == PAUSED;
        }

        /** Hosts may claim it: underway, or completed (late hosts take it). */
        public boolean takesClaims() {
            return underway() || this == COMPLETED;
        }
    }

    private final String id;
    private final String recipe;
    private final String artifact;
    private final RolloutPolicy policy;
    final long deployableOffset;
    final Instant startedAt;
    /** The rollout that completed before this one: what the set runs again when this one is rolled back. */
    Rollout previousCompleted;
    Status status = Status.RUNNING;
    String reason;
    /** Log time of the record that completed or aborted it. */
    Instant endedAt;
    /** When the rollout last began waiting for claims (its start, or its latest resume). */
    Instant waitingSince;
    boolean announced;
    /** Hosts waiting for a slot to go forward, in claim order. */
    final Set<String> claims = new LinkedHashSet<>();
    /** Slot holders under this rollout and the log time their slot was granted (forward or going back). */
    final Map<String, Instant> holding = new LinkedHashMap<>();
    /** Hosts waiting for a slot to go back to the version they ran before this rollout. */
    final Set<String> revertClaims = new LinkedHashSet<>();
    final Set<String> healthy = new LinkedHashSet<>();
    final Set<String> failed = new LinkedHashSet<>();
    /** Members that did not claim within the progress deadline: not waited for, still welcome to claim. */
    final Set<String> lost = new LinkedHashSet<>();
    final Set<String> switched = new LinkedHashSet<>();
    final Set<String> reverted = new LinkedHashSet<>();
    /** Non-canary hosts that took the canary's place because every canary member was lost. */
    final Set<String> standIns = new LinkedHashSet<>();
    /** Most slots of the set held at once while this was the set's rollout: the limit's witness. */
    int peakHolding;
    /** Hosts whose slot expired, with the log time that expired it: the deadline's witness. */
    final Map<String, Instant> expired = new LinkedHashMap<>();
    /** Log time its canaries were done and its gate began waiting for an approval; null before, or without one. */
    Instant gateSince;
    /** Who approved it past its gate (the latest batch's, with {@code approveEachBatch}); null until someone did. */
    String approvedBy;
    /**
     * Which batch of hosts after the canaries the gate is for: 0 first; with {@code approveEachBatch} it moves on
     * once {@code maxUnavailable} hosts of the batch were let through and each is done.
     */
    int batch;
    /** The latest batch approved; -1 before any approval. */
    int approvedBatch = -1;
    /** The entries of its policy's {@code after} that a {@code PrerequisiteMet} said are met. */
    final Set<String> prerequisitesMet = new LinkedHashSet<>();
    /** The hosts after the canaries granted a slot forward in the current batch. */
    final Set<String> batchHosts = new LinkedHashSet<>();
    /** Who let it go on outside its deployment windows; null unless someone did. */
    String windowOverriddenBy;
    /** Its policy's deployment windows; null when the policy names one that is not a window (none ever opens). */
    private final DeploymentWindows windows;

    Rollout(String id, String recipe, String artifact, RolloutPolicy policy, long deployableOffset, Instant startedAt,
            Rollout previousCompleted) {
        this.id = id;
        this.recipe = recipe;
        this.artifact = artifact;
        this.policy = policy;
        this.deployableOffset = deployableOffset;
        this.startedAt = startedAt;
        this.waitingSince = startedAt;
        this.previousCompleted = previousCompleted;
        this.windows = windowsOf(policy);
    }

    private static DeploymentWindows windowsOf(RolloutPolicy policy) {
        try {
            return DeploymentWindows.of(policy.windows());
        } catch (IllegalArgumentException e) {
            // The recipe's check refuses such a policy before it is stored: only a forged record has one.
            return null;
        }
    }

    public String id() {
        return id;
    }

    public String recipe() {
        return recipe;
    }

    public String artifact() {
        return artifact;
    }

    public RolloutPolicy policy() {
        return policy;
    }

    public Status status() {
        return status;
    }

    /** Why it was aborted, paused or superseded; null while it runs. */
    public String reason() {
        return reason;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Log time it completed or aborted; null before. */
    public Instant endedAt() {
        return endedAt;
    }

    public Instant waitingSince() {
        return waitingSince;
    }

    /** When its gate began waiting for an approval; null before its canaries were done, or without a gate. */
    public Instant gateSince() {
        return gateSince;
    }

    /** Who approved it past its gate; null until someone did. */
    public String approvedBy() {
        return approvedBy;
    }

    /** True when the current batch may go forward: no gate, or an approval of it (of the first, without batches). */
    public boolean approved() {
        return policy.approvalWithin() == null || approvedBatch >= (policy.approveEachBatch() ? batch : 0);
    }

    /** The batch of hosts after the canaries its gate is for: always 0 without {@code approveEachBatch}. */
    public int batch() {
        return batch;
    }

    /** Waiting at its gate: the canaries (or the batch before) are done, and this batch is not approved yet. */
    public boolean atGate() {
        return gateSince != null && !approved() && status.underway();
    }

    /** When its gate stops waiting: the rollout aborts at this log time unless approved; null when not at it. */
    public Instant gateDeadline() {
        return atGate() ? gateSince.plus(policy.approvalWithin()) : null;
    }

    /** The sets (entries of its policy's {@code after}) it still waits for, in the policy's order. */
    public List<String> waitingFor() {
        return policy.after().stream().filter(after -> !prerequisitesMet.contains(after)).toList();
    }

    /** Who let it go on outside its deployment windows; null unless someone did. */
    public String windowOverriddenBy() {
        return windowOverriddenBy;
    }

    /** True when, at log time {@code at}, its windows keep it from granting slots forward (and nobody overrode). */
    public boolean outsideWindows(Instant at) {
        return windowOverriddenBy == null && (windows == null || !windows.contains(at));
    }

    /** The next opening of its windows at or after {@code at}; null when none ever opens. */
    public Instant windowOpensAt(Instant at) {
        return windows == null ? null : windows.nextOpening(at);
    }

    /** True once a {@code RolloutCompleted} or {@code RolloutAborted} for it is on the log. */
    public boolean announced() {
        return announced;
    }

    public Set<String> healthy() {
        return Collections.unmodifiableSet(healthy);
    }

    public Set<String> failed() {
        return Collections.unmodifiableSet(failed);
    }

    public Set<String> lost() {
        return Collections.unmodifiableSet(lost);
    }

    /** Hosts that switched (or began switching) to this rollout's artifact. */
    public Set<String> switched() {
        return Collections.unmodifiableSet(switched);
    }

    /** Hosts that switched and went back again. */
    public Set<String> reverted() {
        return Collections.unmodifiableSet(reverted);
    }

    public Set<String> standIns() {
        return Collections.unmodifiableSet(standIns);
    }

    public Map<String, Instant> expired() {
        return Collections.unmodifiableMap(expired);
    }

    public Set<String> claims() {
        return Collections.unmodifiableSet(claims);
    }

    public boolean holds(String host) {
        return holding.containsKey(host);
    }

    public Map<String, Instant> holding() {
        return Collections.unmodifiableMap(holding);
    }

    public int peakHolding() {
        return peakHolding;
    }

    public boolean claimed(String host) {
        return claims.contains(host) || healthy.contains(host) || failed.contains(host);
    }

    /** True once the host needs nothing more from this rollout. */
    public boolean done(String host) {
        return healthy.contains(host) || failed.contains(host);
    }

    /** Switched to this artifact, and not back: after an abort, or its own failure, it must go back. */
    public boolean onIt(String host) {
        return switched.contains(host) && !reverted.contains(host);
    }

    public boolean revertClaimed(String host) {
        return revertClaims.contains(host);
    }
}
