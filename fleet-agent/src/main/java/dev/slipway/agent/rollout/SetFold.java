package dev.slipway.agent.rollout;

import dev.slipway.events.Event;
import dev.slipway.events.rollout.GateApproved;
import dev.slipway.events.rollout.GateOverdue;
import dev.slipway.events.rollout.GateReached;
import dev.slipway.events.rollout.HoldOverdue;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.HoldReleased;
import dev.slipway.events.rollout.HookRan;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.HostOverdue;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.PrerequisiteMet;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.rollout.SetLogEvent;
import dev.slipway.events.rollout.WindowOpened;
import dev.slipway.events.rollout.WindowOverridden;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state of one deployment set, folded from its events in log order. Deterministic: every agent that
 * folds the same records (same order, same broker timestamps) reaches the same state, so the agents of a set
 * agree on who may switch without electing anyone. Time is the log's: the latest record's timestamp.
 *
 * <p>Membership is {@code HostJoined}/{@code HostLeft}; a removed host stays out until it joins again.
 * A {@code RolloutStarted} for a newer deployable starts a rollout and supersedes a running one (one for an
 * older deployable changes nothing). Slots belong to the set, not to a rollout: at most the current policy's
 * {@code maxUnavailable} hosts hold one at once, whether they take a new version, finish a superseded one, or
 * go back after an abort. A pause holds the set until it is resumed: the rollout in progress, and any that starts
 * meanwhile, grants no slot forward (going back goes on); so does a named hold, and so does a rollout outside its
 * policy's deployment windows, from the first record past a window's end to the first at or past the next one's
 * start (agents append {@code WindowOpened} only so that a record arrives), unless an operator overrode them. Claims are granted in claim order, going back first, and forward only to canary
 * members until every canary member is done; when every canary member that is not done is lost, one other
 * claimant at a time stands in as canary, and the rest wait until a stand-in is healthy.
 *
 * <p>Deadlines, judged at every record's log time: a slot held past {@code slotDeadline} counts as failed
 * (agents append a {@code HostOverdue} for a silent peer only so that a record arrives: what it says is not
 * believed, its log time is; a {@code HostFailed} counts only from the host itself); a member that has not claimed within {@code progressDeadline} of the rollout's
 * start (or resume, or its own join) is lost: not waited for, not counted as a failure, still welcome to claim.
 * Failures beyond the tolerance abort a running rollout; a completed rollout stays completed (a late host that
 * fails stays on its version). The rollout completes when every member is healthy, failed within tolerance,
 * or lost, and at least one is healthy. After an abort, every host that switched and did not go back claims a
 * slot to go back, as does a host that switched and was then failed.
 */
public final class SetFold {

    /** A host's slot: under which rollout, since when (log time), and whether it goes forward or back. */
    public record Slot(Rollout rollout, Instant grantedAt, boolean back) {
    }

    /** An operator's pause of the set: by whom, why, since when (log time). */
    public record Hold(String by, String reason, Instant since) {
    }

    /**
     * A named hold ({@code HoldPlaced}): by whom, why, since when, until when (log time), and what its expiry does
     * ({@link HoldPlaced#RELEASE} or {@link HoldPlaced#FAIL}).
     */
    public record NamedHold(String by, String reason, Instant since, Instant until, String onExpiry) {
    }

    /**
     * How long (log time) a record's id is remembered so that the same event delivered again changes nothing.
     * Repeats come from members announcing one end under one id and from a relay that sends again after a
     * crash, seconds or minutes apart; forgetting older ids keeps the fold of years of log, and its checkpoint, as
     * small as the fold of the last minutes.
     */
    public static final Duration REMEMBER_IDS = Duration.ofMinutes(10);

    private final String deploymentSet;
    private final Membership members = new Membership();
    /** Ids of recent records, oldest first, with the log time they were folded at. */
    private final LinkedHashMap<String, Instant> seenIds = new LinkedHashMap<>();
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private Rollout rollout;
    private Rollout lastCompleted;
    private Hold hold;
    private final Map<String, NamedHold> holds = new TreeMap<>();
    private Instant time;
    private Instant since;
    private long offset = -1;
    private long records;
    private int peakSlots;

    private final Changes changes = new Changes();

    public SetFold(String deploymentSet) {
        this.deploymentSet = deploymentSet;
    }

    /**
     * Applies one record of the set's partition at its log time and offset; false when it changed nothing (a
     * repeat, another set, stale). Checkpoints are not folded: a fold is the same whether or not any were written.
     */
    public boolean apply(Event<?> event, Instant logTime, long recordOffset) {
        if (event.data() instanceof SetCheckpointed) {
            return false;
        }
        offset = recordOffset;
        records++;
        Instant at = logTime != null && (time == null || logTime.isAfter(time)) ? logTime : time;
        forgetIdsBefore(at);
        if (seenIds.containsKey(event.id())) {
            return false;
        }
        time = at;
        if (since == null) {
            since = time;
        }
        seenIds.put(event.id(), time);
        boolean changed = expire();
        if (event.data() instanceof SetLogEvent entry && entry.deploymentSet().equals(deploymentSet)) {
            changed |= entry.accept(changes);
        }
        settle();
        return changed;
    }

    /**
     * What each entry of the log changes: a method for every type, so a new type does not compile until the fold
     * says what it does. Reports, ticks and checkpoints (a host drained, overdue or its hook ran; a hold or gate
     * overdue, a gate reached, a window opened; a checkpoint) change nothing by themselves: their log time moves
     * the fold's clock, which {@link #apply} advances for every record.
     */
    private final class Changes implements SetLogEvent.Visitor<Boolean> {

        @Override
        public Boolean visit(HostJoined joined) {
            return join(joined);
        }

        @Override
        public Boolean visit(HostLeft left) {
            return leave(left.hostId());
        }

        @Override
        public Boolean visit(RolloutStarted started) {
            return start(started);
        }

        @Override
        public Boolean visit(HostClaimed claimed) {
            return isCurrent(claimed.rolloutId()) && claim(claimed.hostId());
        }

        @Override
        public Boolean visit(HostSwitched switched) {
            return switched(switched);
        }

        @Override
        public Boolean visit(HostHealthy healthy) {
            return healthy(healthy.rolloutId(), healthy.hostId());
        }

        @Override
        public Boolean visit(HostFailed failed) {
            return failed(failed);
        }

        @Override
        public Boolean visit(RolloutPaused paused) {
            return hold(paused);
        }

        @Override
        public Boolean visit(RolloutResumed event) {
            return release();
        }

        @Override
        public Boolean visit(GateApproved approved) {
            return isCurrent(approved.rolloutId()) && approve(approved);
        }

        @Override
        public Boolean visit(PrerequisiteMet met) {
            return isCurrent(met.rolloutId()) && prerequisite(met);
        }

        @Override
        public Boolean visit(WindowOverridden overridden) {
            return isCurrent(overridden.rolloutId()) && override(overridden);
        }

        @Override
        public Boolean visit(HoldPlaced placed) {
            return place(placed);
        }

        @Override
        public Boolean visit(HoldReleased released) {
            return lift(released.name());
        }

        @Override
        public Boolean visit(RollbackRequested rollback) {
            return isCurrent(rollback.rolloutId()) && rollout.status != Rollout.Status.SUPERSEDED
                    && abort("rollback requested by " + rollback.requestedBy() + ": " + rollback.reason());
        }

        @Override
        public Boolean visit(RolloutCompleted completed) {
            return isCurrent(completed.rolloutId()) && announced(Rollout.Status.COMPLETED);
        }

        @Override
        public Boolean visit(RolloutAborted aborted) {
            return isCurrent(aborted.rolloutId()) && announced(Rollout.Status.ABORTED);
        }

        @Override
        public Boolean visit(HostDrained event) {
            return false;
        }

        @Override
        public Boolean visit(HostOverdue event) {
            return false;
        }

        @Override
        public Boolean visit(HookRan event) {
            return false;
        }

        @Override
        public Boolean visit(HoldOverdue event) {
            return false;
        }

        @Override
        public Boolean visit(GateReached event) {
            return false;
        }

        @Override
        public Boolean visit(GateOverdue event) {
            return false;
        }

        @Override
        public Boolean visit(WindowOpened event) {
            return false;
        }

        @Override
        public Boolean visit(SetCheckpointed event) {
            return false;
        }
    }

    public String deploymentSet() {
        return deploymentSet;
    }

    /** The rollout in progress or the latest one; null before the first. */
    public Rollout rollout() {
        return rollout;
    }

    /** The set's pause, or null when it is not paused. */
    public Hold hold() {
        return hold;
    }

    /** The named holds in place, by name. */
    public Map<String, NamedHold> holds() {
        return Collections.unmodifiableMap(holds);
    }

    /** What this set's hosts should run: the artifact of the last completed rollout, or null. */
    public Rollout lastCompleted() {
        return lastCompleted;
    }

    /** Members and whether each is a canary. */
    public Map<String, Boolean> members() {
        return members.canaryFlags();
    }

    /** The member's place among the members by name, in which they take turns; -1 for a host that is none. */
    public int rank(String host) {
        return members.rank(host);
    }

    /** The member, or null. */
    public Membership.Member member(String host) {
        return members.member(host);
    }

    /** Hosts taken out of the set by {@code HostLeft} that have not joined again. */
    public Set<String> removed() {
        return members.removed();
    }

    /** True when another agent joined under this instance's host id after it: two agents share an id. */
    public boolean retired(String instance) {
        return members.retired(instance);
    }

    /** True once this agent run's join is on the log. */
    public boolean joined(String instance) {
        return members.joined(instance);
    }

    /** Every slot of the set, whichever rollout it is under. */
    public Map<String, Slot> slots() {
        return Collections.unmodifiableMap(slots);
    }

    /** The log's time: the newest timestamp folded so far; null before the first record. */
    public Instant time() {
        return time;
    }

    /** The offset of the last record folded; -1 before the first. */
    public long offset() {
        return offset;
    }

    /** How many records of the set were folded, repeats included. */
    public long records() {
        return records;
    }

    /** Log time of the first record folded; null before it. */
    public Instant since() {
        return since;
    }

    /** Most slots ever held at once: the limit's witness. */
    public int peakSlots() {
        return peakSlots;
    }

    /** When the member began to be waited for in the current rollout: its start, latest resume, or the join. */
    public Instant waitingSince(String host) {
        Membership.Member member = members.member(host);
        Instant since = rollout.waitingSince;
        return member != null && member.joinedAt() != null && member.joinedAt().isAfter(since) ? member.joinedAt() : since;
    }

    /** A host that switched to the rollout's version and must go back: the rollout aborted, or it failed. */
    public boolean mustGoBack(Rollout r, String host) {
        return r.onIt(host) && (r.status == Rollout.Status.ABORTED || r.failed.contains(host));
    }

    /** Everything the fold knows, for comparing two folds: its state as text. */
    public String summary() {
        return state().toString();
    }

    /** Everything the fold knows, as a checkpoint carries it. */
    public FoldState state() {
        List<Rollout> kept = FoldState.reachable(rollout, lastCompleted, slots.values());
        Map<Rollout, String> ids = new IdentityHashMap<>();
        kept.forEach(r -> ids.put(r, r.id()));
        List<FoldState.RolloutState> rollouts = kept.stream().map(r -> FoldState.RolloutState.of(r, ids)).toList();
        List<FoldState.SlotState> held = slots.entrySet().stream().map(e -> new FoldState.SlotState(e.getKey(),
                e.getValue().rollout().id(), e.getValue().grantedAt(), e.getValue().back())).toList();
        return new FoldState(FoldState.FORMAT, deploymentSet, offset, records, since, time, peakSlots,
                new LinkedHashMap<>(seenIds), new LinkedHashMap<>(members.members()),
                new LinkedHashMap<>(members.removedMembers()), rollouts, rollout == null ? null : rollout.id(),
                lastCompleted == null ? null : lastCompleted.id(), held, hold, new TreeMap<>(holds));
    }

    /**
     * The fold a checkpoint describes: it goes on exactly as the fold the state was taken from.
     *
     * @throws IllegalArgumentException when the state is of another set, another format, or names a rollout it
     *                                  does not hold
     */
    public static SetFold restore(FoldState state) {
        if (state.format() > FoldState.FORMAT || state.format() < FoldState.FORMAT_BEFORE_HOLDS) {
            throw new IllegalArgumentException("checkpoint format " + state.format() + " is not " + FoldState.FORMAT
                    + ": written by a newer agent; start from the log instead");
        }
        SetFold fold = new SetFold(state.deploymentSet());
        Map<String, Rollout> byId = new LinkedHashMap<>();
        state.rollouts().forEach(r -> byId.put(r.id(), r.toRollout()));
        state.rollouts().stream().filter(r -> r.previousCompleted() != null)
                .forEach(r -> byId.get(r.id()).previousCompleted = known(byId, r.previousCompleted()));
        fold.rollout = state.rollout() == null ? null : known(byId, state.rollout());
        fold.lastCompleted = state.lastCompleted() == null ? null : known(byId, state.lastCompleted());
        state.slots().forEach(slot -> fold.slots.put(slot.host(),
                new Slot(known(byId, slot.rollout()), slot.grantedAt(), slot.back())));
        fold.members.restore(state.members(), state.removed());
        fold.seenIds.putAll(state.seen());
        fold.offset = state.offset();
        fold.records = state.records();
        fold.since = state.since();
        fold.time = state.time();
        fold.peakSlots = state.peakSlots();
        fold.hold = state.format() > FoldState.FORMAT_BEFORE_HOLDS ? state.hold() : heldBefore(fold.rollout);
        if (state.holds() != null) {
            fold.holds.putAll(state.holds());
        }
        return fold;
    }

    /** Before holds, a pause was the paused rollout's alone: its reason is all that is known of it. */
    private static Hold heldBefore(Rollout rollout) {
        return rollout != null && rollout.status == Rollout.Status.PAUSED
                ? new Hold("an operator", rollout.reason, rollout.waitingSince) : null;
    }

    private static Rollout known(Map<String, Rollout> byId, String id) {
        Rollout r = byId.get(id);
        if (r == null) {
            throw new IllegalArgumentException("checkpoint names rollout " + id + " but does not hold it");
        }
        return r;
    }

    private void forgetIdsBefore(Instant now) {
        if (now == null) {
            return;
        }
        Instant before = now.minus(REMEMBER_IDS);
        Iterator<Instant> oldest = seenIds.values().iterator();
        while (oldest.hasNext()) {
            Instant seen = oldest.next();
            if (seen != null && !seen.isBefore(before)) {
                return;
            }
            oldest.remove();
        }
    }

    private boolean isCurrent(String rolloutId) {
        return rollout != null && rollout.id().equals(rolloutId);
    }

    /** The rollout an event of this host names: the current one, or the one it holds a slot under. */
    private Rollout target(String rolloutId, String host) {
        if (isCurrent(rolloutId)) {
            return rollout;
        }
        Slot slot = slots.get(host);
        return slot != null && slot.rollout().id().equals(rolloutId) ? slot.rollout() : null;
    }

    private boolean join(HostJoined joined) {
        return members.join(joined, time);
    }

    private boolean leave(String host) {
        if (!members.leave(host)) {
            return false;
        }
        release(host);
        if (rollout != null) {
            rollout.claims.remove(host);
            rollout.revertClaims.remove(host);
        }
        return true;
    }

    private boolean start(RolloutStarted started) {
        if (rollout != null && rollout.id().equals(started.rolloutId())) {
            return false;
        }
        long offset = started.deployableOffset() == null ? -1 : started.deployableOffset();
        if (rollout != null && offset >= 0 && rollout.deployableOffset >= offset) {
            return false;
        }
        if (rollout != null && rollout.status.underway()) {
            rollout.status = Rollout.Status.SUPERSEDED;
            rollout.reason = "superseded by rollout " + started.rolloutId();
        }
        if (lastCompleted != null) {
            // Only the current rollout can fall back on its predecessor: the chain behind it is history.
            lastCompleted.previousCompleted = null;
        }
        rollout = new Rollout(started.rolloutId(), started.recipe(), started.artifact(), started.policy(), offset,
                time, lastCompleted);
        if (held()) {
            holdRollout();
        }
        return true;
    }

    private boolean claim(String host) {
        if (!members.contains(host) || slots.containsKey(host)) {
            return false;
        }
        if (mustGoBack(rollout, host)) {
            if (rollout.revertClaims.contains(host)) {
                return false;
            }
            rollout.revertClaims.add(host);
            return true;
        }
        if (rollout.claimed(host) || !accepting()) {
            return false;
        }
        rollout.claims.add(host);
        return true;
    }

    private boolean switched(HostSwitched switched) {
        Rollout r = target(switched.rolloutId(), switched.hostId());
        if (r == null) {
            return false;
        }
        if (r.artifact().equals(switched.toArtifact())) {
            r.reverted.remove(switched.hostId());
            return r.switched.add(switched.hostId());
        }
        return r.switched.contains(switched.hostId()) && r.reverted.add(switched.hostId());
    }

    private boolean healthy(String rolloutId, String host) {
        Slot slot = slots.get(host);
        if (slot == null || !slot.rollout().id().equals(rolloutId)) {
            return false;
        }
        release(host);
        if (slot.back()) {
            slot.rollout().reverted.add(host);
        } else {
            slot.rollout().healthy.add(host);
        }
        return true;
    }

    private boolean failed(HostFailed failed) {
        String host = failed.hostId();
        if (!host.equals(failed.reportedBy())) {
            // Only a host says it failed; a peer says it is overdue (HostOverdue), which expire() judges by time.
            return false;
        }
        Slot slot = slots.get(host);
        if (slot != null && slot.rollout().id().equals(failed.rolloutId())) {
            release(host);
            if (!slot.back()) {
                fail(slot.rollout(), host, failed.reason());
            }
            return true;
        }
        if (slot == null && isCurrent(failed.rolloutId()) && accepting() && members.contains(host)
                && !rollout.done(host)) {
            // A refusal: the host cannot take the version at all.
            fail(rollout, host, failed.reason());
            return true;
        }
        return false;
    }

    private void fail(Rollout r, String host, String reason) {
        r.claims.remove(host);
        r.failed.add(host);
        if (r.status.underway() && r == rollout && r.failed.size() > r.policy().failureTolerance()) {
            abort(r.failed.size() + " host(s) failed, more than the tolerance of " + r.policy().failureTolerance()
                    + "; last: " + host + ": " + reason);
        }
    }

    /**
     * A pause holds the set, not the rollout it names: whatever rollout is in progress when it lands holds, and
     * so does any that starts before the resume. An operator's pause cannot miss the rollout it was meant for
     * when the rollout they saw has just been replaced.
     */
    private boolean hold(RolloutPaused paused) {
        if (hold != null) {
            return false;
        }
        hold = new Hold(paused.pausedBy(), paused.reason(), time);
        if (rollout != null && rollout.status.underway()) {
            holdRollout();
        }
        return true;
    }

    /**
     * Paused by an operator, held by any named hold, outside the rollout's deployment windows, or waiting for a set
     * it follows.
     */
    private boolean held() {
        return hold != null || !holds.isEmpty() || outsideWindows() || waitingForSets();
    }

    private boolean waitingForSets() {
        return rollout != null && rollout.status.underway() && !rollout.waitingFor().isEmpty();
    }

    private boolean outsideWindows() {
        return rollout != null && rollout.status.underway() && rollout.outsideWindows(time);
    }

    /** When the rollout held outside its deployment windows may go on; null when windows do not hold it. */
    public Instant windowOpensAt() {
        return outsideWindows() ? rollout.windowOpensAt(time) : null;
    }

    private void holdRollout() {
        rollout.status = Rollout.Status.PAUSED;
        rollout.reason = heldBecause();
    }

    /** What holds the set, in words: the pause's reason, then each named hold. */
    private String heldBecause() {
        List<String> why = new ArrayList<>();
        if (hold != null) {
            why.add(hold.reason());
        }
        holds.forEach((name, named) -> why.add("held by " + name + " (" + named.by() + ": " + named.reason()
                + ", until " + named.until() + ")"));
        if (waitingForSets()) {
            rollout.waitingFor().forEach(after -> why.add("waiting for set " + after.split("@", 2)[0]
                    + " to complete a rollout of " + (after.contains("@") ? "recipe " + after.split("@", 2)[1]
                    : "release " + rollout.policy().release())));
        }
        if (outsideWindows()) {
            Instant opens = rollout.windowOpensAt(time);
            why.add("outside its deployment windows " + rollout.policy().windows() + (opens == null
                    ? ", which are not windows: override them, or release a recipe that names valid ones"
                    : "; waiting for the next, which opens at " + opens));
        }
        return String.join("; ", why);
    }

    private boolean release() {
        if (hold == null) {
            return false;
        }
        hold = null;
        goOnUnlessHeld();
        return true;
    }

    /**
     * A named hold: a rollout in progress holds from this record on, and so does any that starts before it ends.
     * The same name again renews it, its deadline counted from the renewal.
     */
    private boolean place(HoldPlaced placed) {
        if (placed.until() == null || placed.until().isNegative() || placed.until().isZero()) {
            return false;
        }
        holds.put(placed.name(), new NamedHold(placed.placedBy(), placed.reason(), time, time.plus(placed.until()),
                HoldPlaced.FAIL.equals(placed.onExpiry()) ? HoldPlaced.FAIL : HoldPlaced.RELEASE));
        if (rollout != null && (rollout.status == Rollout.Status.RUNNING || rollout.status == Rollout.Status.PAUSED)) {
            holdRollout();
        }
        return true;
    }

    /**
     * Past its gate (or, approved early, it never waits at it): only the batch the gate is for, so an approval
     * delivered late cannot let the next batch through.
     */
    private boolean approve(GateApproved approved) {
        int gate = rollout.policy().approveEachBatch() ? rollout.batch : 0;
        if (!rollout.status.underway() || approved.batch() != gate || rollout.approvedBatch >= gate) {
            return false;
        }
        rollout.approvedBatch = gate;
        rollout.approvedBy = approved.approvedBy();
        if (rollout.status == Rollout.Status.RUNNING && rollout.gateSince != null) {
            rollout.reason = null;
        }
        return true;
    }

    /**
     * A set the rollout follows completed what it waits for. A member of this set says so, as it says it is healthy;
     * an entry that names a recipe is met only by that recipe.
     */
    private boolean prerequisite(PrerequisiteMet met) {
        String after = met.after();
        if (!rollout.status.underway() || !rollout.policy().after().contains(after)
                || rollout.prerequisitesMet.contains(after)
                || (after.contains("@") && !after.endsWith("@" + met.recipe()))) {
            return false;
        }
        rollout.prerequisitesMet.add(after);
        goOnUnlessHeld();
        return true;
    }

    /** From this record on, the rollout's windows hold it no more. */
    private boolean override(WindowOverridden overridden) {
        if (!rollout.status.underway() || rollout.windowOverriddenBy != null) {
            return false;
        }
        rollout.windowOverriddenBy = overridden.overriddenBy();
        goOnUnlessHeld();
        return true;
    }

    private boolean lift(String name) {
        if (holds.remove(name) == null) {
            return false;
        }
        goOnUnlessHeld();
        return true;
    }

    /** A paused rollout that nothing holds any more runs again, waiting for its members from now. */
    private void goOnUnlessHeld() {
        if (rollout == null || rollout.status != Rollout.Status.PAUSED) {
            return;
        }
        if (held()) {
            rollout.reason = heldBecause();
            return;
        }
        rollout.status = Rollout.Status.RUNNING;
        rollout.reason = rollout.atGate() ? gateReason() : null;
        rollout.waitingSince = time;
    }

    private String gateReason() {
        return "waiting for an operator's approval" + (rollout.policy().approveEachBatch() ? " of batch "
                + (rollout.batch + 1) + " after the canaries" : "") + " since " + rollout.gateSince + " (until "
                + rollout.gateDeadline() + ")";
    }

    private boolean abort(String reason) {
        if (rollout.status == Rollout.Status.ABORTED) {
            return false;
        }
        rollout.status = Rollout.Status.ABORTED;
        rollout.reason = reason;
        rollout.endedAt = time;
        rollout.announced = false;
        rollout.claims.clear();
        if (lastCompleted == rollout) {
            lastCompleted = rollout.previousCompleted;
        }
        return true;
    }

    /** The end on the log is the end the fold decided (a completed rollout rolled back ends again, aborted). */
    private boolean announced(Rollout.Status end) {
        if (rollout.announced || rollout.status != end) {
            return false;
        }
        rollout.announced = true;
        return true;
    }

    private boolean accepting() {
        return rollout.status.takesClaims();
    }

    /** Holds, slots past their deadline and members past the progress deadline, at the log's time. */
    private boolean expire() {
        if (time == null) {
            return false;
        }
        boolean changed = expireHolds();
        changed |= turnWindows();
        if (rollout != null && rollout.atGate() && !time.isBefore(rollout.gateDeadline())) {
            changed |= abort("not approved within " + rollout.policy().approvalWithin() + " of its canaries"
                    + (rollout.batch > 0 ? " (here: batch " + rollout.batch + ")" : "") + " being done");
        }
        for (Map.Entry<String, Slot> held : new ArrayList<>(slots.entrySet())) {
            Slot slot = held.getValue();
            if (slot.grantedAt().plus(slot.rollout().policy().slotDeadline()).isBefore(time)) {
                release(held.getKey());
                slot.rollout().expired.put(held.getKey(), time);
                if (!slot.back()) {
                    fail(slot.rollout(), held.getKey(),
                            "held its slot past the deadline of " + slot.rollout().policy().slotDeadline());
                }
                changed = true;
            }
        }
        // No member is waited for from before the rollout's own start or resume: until its deadline has passed,
        // nobody can be lost, and a big set's fold need not look at every member for every record.
        if (rollout != null && rollout.status == Rollout.Status.RUNNING
                && rollout.waitingSince.plus(rollout.policy().progressDeadline()).isBefore(time)) {
            for (String host : members.hosts()) {
                if (!rollout.claimed(host) && !rollout.holds(host) && !rollout.lost.contains(host)
                        && waitingSince(host).plus(rollout.policy().progressDeadline()).isBefore(time)) {
                    rollout.lost.add(host);
                    changed = true;
                }
            }
        }
        return changed;
    }

    /** Named holds past their deadline end: released, or failing the rollout they held. */
    private boolean expireHolds() {
        List<String> ended = holds.entrySet().stream().filter(named -> !time.isBefore(named.getValue().until()))
                .map(Map.Entry::getKey).toList();
        for (String name : ended) {
            NamedHold named = holds.remove(name);
            if (HoldPlaced.FAIL.equals(named.onExpiry()) && rollout != null && rollout.status.underway()) {
                abort("hold " + name + " (" + named.by() + ": " + named.reason() + ") was not released by its "
                        + "deadline " + named.until());
            }
        }
        if (!ended.isEmpty()) {
            goOnUnlessHeld();
        }
        return !ended.isEmpty();
    }

    /** A window that ended holds the rollout from this record on; one that began lets it go on, unless held. */
    private boolean turnWindows() {
        if (rollout == null || rollout.policy().windows().isEmpty() || !rollout.status.underway()) {
            return false;
        }
        Rollout.Status before = rollout.status;
        String why = rollout.reason;
        if (rollout.status == Rollout.Status.RUNNING && outsideWindows()) {
            holdRollout();
        } else {
            goOnUnlessHeld();
        }
        return before != rollout.status || !Objects.equals(why, rollout.reason);
    }

    private void settle() {
        if (rollout == null || rollout.status == Rollout.Status.PAUSED) {
            return;
        }
        grantGoingBack();
        if (rollout.status == Rollout.Status.RUNNING || rollout.status == Rollout.Status.COMPLETED) {
            grantForward();
        }
        if (rollout.status == Rollout.Status.RUNNING && rollout.holding.isEmpty()
                && members.hosts().stream().allMatch(this::settled)) {
            if (rollout.healthy.isEmpty()) {
                abort("no member took the version: " + rollout.failed.size() + " failed, " + rollout.lost.size()
                        + " lost (did not claim within the progress deadline of " + rollout.policy().progressDeadline()
                        + ")");
            } else {
                rollout.status = Rollout.Status.COMPLETED;
                rollout.endedAt = time;
                lastCompleted = rollout;
            }
        }
    }

    /** Needs nothing more, or is no longer waited for. */
    private boolean settled(String host) {
        return rollout.done(host) || (rollout.lost.contains(host) && !rollout.claims.contains(host));
    }

    private void grantGoingBack() {
        Iterator<String> waiting = rollout.revertClaims.iterator();
        while (waiting.hasNext() && slots.size() < rollout.policy().maxUnavailable()) {
            String host = waiting.next();
            if (!slots.containsKey(host)) {
                waiting.remove();
                grant(host, true);
            }
        }
    }

    private void grantForward() {
        List<String> canaries = members.canaries();
        boolean gateOpen = canaries.stream().allMatch(rollout::done)
                || rollout.standIns.stream().anyMatch(rollout.healthy::contains);
        boolean canariesLost = canaries.stream().filter(c -> !rollout.done(c))
                .allMatch(c -> rollout.lost.contains(c) && !rollout.claims.contains(c) && !rollout.holds(c));
        boolean eachBatch = rollout.policy().approvalWithin() != null && rollout.policy().approveEachBatch()
                && rollout.status == Rollout.Status.RUNNING;
        if (eachBatch && rollout.batchHosts.size() >= rollout.policy().maxUnavailable()
                && rollout.batchHosts.stream().allMatch(h -> rollout.done(h) || !members.contains(h))) {
            rollout.batch++;
            rollout.batchHosts.clear();
            rollout.gateSince = null;
        }
        boolean approved = rollout.approved() || rollout.status != Rollout.Status.RUNNING;
        if (gateOpen && !approved && rollout.gateSince == null
                && members.hosts().stream().anyMatch(h -> !settled(h))) {
            rollout.gateSince = time;
            rollout.reason = gateReason();
        }
        Iterator<String> waiting = rollout.claims.iterator();
        while (waiting.hasNext() && slots.size() < rollout.policy().maxUnavailable()) {
            String host = waiting.next();
            if (slots.containsKey(host)) {
                continue;
            }
            boolean canary = members.member(host).canary();
            boolean standIn = !gateOpen && !canary && canariesLost
                    && rollout.standIns.stream().noneMatch(rollout::holds);
            boolean inBatch = !eachBatch || rollout.batchHosts.size() < rollout.policy().maxUnavailable();
            if ((gateOpen && approved && inBatch) || canary || standIn) {
                waiting.remove();
                if (standIn) {
                    rollout.standIns.add(host);
                } else if (eachBatch && !canary) {
                    rollout.batchHosts.add(host);
                }
                grant(host, false);
            }
        }
    }

    private void grant(String host, boolean back) {
        slots.put(host, new Slot(rollout, time, back));
        rollout.holding.put(host, time);
        peakSlots = Math.max(peakSlots, slots.size());
        rollout.peakHolding = Math.max(rollout.peakHolding, slots.size());
    }

    private void release(String host) {
        Slot slot = slots.remove(host);
        if (slot != null) {
            slot.rollout().holding.remove(host);
        }
    }
}
