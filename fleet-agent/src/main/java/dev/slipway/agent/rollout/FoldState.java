package dev.slipway.agent.rollout;

import dev.slipway.events.rollout.RolloutPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a {@link SetFold} knows, as plain values in the fold's own order: what a checkpoint carries. Two
 * folds that are equal give equal states (and equal {@code toString}s), and a fold restored from a state goes on
 * exactly as the fold it was taken from. Rollouts appear once each, referred to by id.
 *
 * @param offset  the offset of the last record of the set folded into it; -1 before the first
 * @param records how many records of the set were folded (checkpoints are not records of the fold)
 * @param since   log time of the first record folded; null before it
 * @param seen    ids of the records folded within {@link SetFold#REMEMBER_IDS} of log time, with their time
 * @param hold    the set's pause; null when it is not paused (and in format 1, which had none)
 * @param holds   the named holds in place by name; null in formats before 3, which had none
 */
public record FoldState(int format, String deploymentSet, long offset, long records, Instant since, Instant time,
        int peakSlots, LinkedHashMap<String, Instant> seen, LinkedHashMap<String, Membership.Member> members,
        LinkedHashMap<String, Membership.Member> removed, List<RolloutState> rollouts, String rollout,
        String lastCompleted, List<SlotState> slots, SetFold.Hold hold, TreeMap<String, SetFold.NamedHold> holds) {

    /** Raised when what a state holds changes meaning; a reader refuses a format it does not know. */
    public static final int FORMAT = 4;
    /**
     * Format 1 had no hold: a pause was the paused rollout's. Format 2 had no named holds, format 3 no window
     * overrides, gates per batch nor ordering between sets. All still read.
     */
    static final int FORMAT_BEFORE_HOLDS = 1;

    /** One rollout; {@code previousCompleted} names a rollout of the same state, or is null. */
    public record RolloutState(String id, String recipe, String artifact, RolloutPolicy policy, long deployableOffset,
            Instant startedAt, String previousCompleted, Rollout.Status status, String reason, Instant endedAt,
            Instant waitingSince, boolean announced, List<String> claims, LinkedHashMap<String, Instant> holding,
            List<String> revertClaims, List<String> healthy, List<String> failed, List<String> lost,
            List<String> switched, List<String> reverted, List<String> standIns, int peakHolding,
            LinkedHashMap<String, Instant> expired, Instant gateSince, String approvedBy, String windowOverriddenBy,
            Integer batch, Integer approvedBatch, List<String> batchHosts, List<String> prerequisitesMet) {

        static RolloutState of(Rollout r, Map<Rollout, String> kept) {
            return new RolloutState(r.id(), r.recipe(), r.artifact(), r.policy(), r.deployableOffset, r.startedAt,
                    r.previousCompleted == null ? null : kept.get(r.previousCompleted), r.status, r.reason, r.endedAt,
                    r.waitingSince, r.announced, List.copyOf(r.claims), new LinkedHashMap<>(r.holding),
                    List.copyOf(r.revertClaims), List.copyOf(r.healthy), List.copyOf(r.failed), List.copyOf(r.lost),
                    List.copyOf(r.switched), List.copyOf(r.reverted), List.copyOf(r.standIns), r.peakHolding,
                    new LinkedHashMap<>(r.expired), r.gateSince, r.approvedBy, r.windowOverriddenBy, r.batch,
                    r.approvedBatch, List.copyOf(r.batchHosts), List.copyOf(r.prerequisitesMet));
        }

        Rollout toRollout() {
            Rollout r = new Rollout(id, recipe, artifact, policy, deployableOffset, startedAt, null);
            r.status = status;
            r.reason = reason;
            r.endedAt = endedAt;
            r.waitingSince = waitingSince;
            r.announced = announced;
            r.claims.addAll(claims);
            r.holding.putAll(holding);
            r.revertClaims.addAll(revertClaims);
            r.healthy.addAll(healthy);
            r.failed.addAll(failed);
            r.lost.addAll(lost);
            r.switched.addAll(switched);
            r.reverted.addAll(reverted);
            r.standIns.addAll(standIns);
            r.peakHolding = peakHolding;
            r.expired.putAll(expired);
            r.gateSince = gateSince;
            r.approvedBy = approvedBy;
            r.windowOverriddenBy = windowOverriddenBy;
            // Format 3 had one gate per rollout: an approver there means the first batch was approved.
            r.batch = batch == null ? 0 : batch;
            r.approvedBatch = approvedBatch != null ? approvedBatch : approvedBy != null ? 0 : -1;
            if (batchHosts != null) {
                r.batchHosts.addAll(batchHosts);
            }
            if (prerequisitesMet != null) {
                r.prerequisitesMet.addAll(prerequisitesMet);
            }
            return r;
        }
    }

    /** A slot: its holder, the id of the rollout it is under, since when (log time), forward or back. */
    public record SlotState(String host, String rollout, Instant grantedAt, boolean back) {
    }

    /** The rollouts a fold can still reach, in a fixed order: current, its predecessor, last completed, slots'. */
    static List<Rollout> reachable(Rollout current, Rollout lastCompleted, Iterable<SetFold.Slot> slots) {
        LinkedHashSet<Rollout> kept = new LinkedHashSet<>();
        if (current != null) {
            kept.add(current);
            if (current.previousCompleted != null) {
                kept.add(current.previousCompleted);
            }
        }
        if (lastCompleted != null) {
            kept.add(lastCompleted);
        }
        slots.forEach(slot -> kept.add(slot.rollout()));
        return new ArrayList<>(kept);
    }
}
