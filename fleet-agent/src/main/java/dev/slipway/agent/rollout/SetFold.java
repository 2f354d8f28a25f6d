package dev.slipway.agent.rollout;

import dev.slipway.events.Event;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The state of one deployment set, folded from its events in log order. Deterministic: every agent that
 * folds the same records (same order, same broker timestamps) reaches the same state, so the agents of a set
 * agree on who may switch without electing anyone.
 *
 * <p>Rules. Membership is {@code HostJoined}/{@code HostLeft}. A {@code RolloutStarted} with a new id starts
 * a rollout and supersedes a running one; a repeated id is ignored (every agent appends it). A
 * {@code HostClaimed} queues the host; slots are granted in claim order, at most {@code maxUnavailable} at
 * once, and only to canary members until every canary member is done (healthy, or failed within the
 * tolerance: a team that tolerates no failure, the usual case, aborts on the first canary failure). {@code HostHealthy} frees a slot;
 * {@code HostFailed} frees it and counts a failure (also from a host that refused the artifact before
 * claiming: it cannot take the version either), and failures beyond {@code failureTolerance} abort the
 * rollout. A slot held past {@code slotDeadline} (by the log's own timestamps) counts as failed when the next
 * record arrives; agents append a {@code HostFailed} for a silent host so that a record arrives. Paused
 * rollouts grant nothing. {@code RollbackRequested} aborts. A rollout completes when every member is healthy
 * on it; a host that joins later can still claim a completed rollout, so it converges. Events for another
 * rollout id, repeats, and events that make no sense in the current state change nothing.
 */
public final class SetFold {

    private final String deploymentSet;
    private final Map<String, Boolean> members = new LinkedHashMap<>();
    private final Set<String> seenIds = new HashSet<>();
    private Rollout rollout;
    /** The last rollout that completed: what a host of this set should run. */
    private Rollout lastCompleted;

    public SetFold(String deploymentSet) {
        this.deploymentSet = deploymentSet;
    }

    /** Applies one event at its log time; false when it changed nothing (a repeat, another set, stale). */
    public boolean apply(Event<?> event, Instant logTime) {
        if (!seenIds.add(event.id())) {
            return false;
        }
        expireSlots(logTime);
        boolean changed = change(event.data());
        if (changed) {
            grant(logTime);
        }
        return changed;
    }

    private boolean change(Object data) {
        if (data instanceof HostJoined joined && joined.deploymentSet().equals(deploymentSet)) {
            return !Boolean.valueOf(joined.canary()).equals(members.put(joined.hostId(), joined.canary()));
        }
        if (data instanceof HostLeft left && left.deploymentSet().equals(deploymentSet)) {
            return members.remove(left.hostId()) != null;
        }
        if (data instanceof RolloutStarted started && started.deploymentSet().equals(deploymentSet)) {
            return start(started);
        }
        if (data instanceof HostClaimed claimed && current(claimed.deploymentSet(), claimed.rolloutId())) {
            return claim(claimed.hostId());
        }
        if (data instanceof HostSwitched switched && current(switched.deploymentSet(), switched.rolloutId())) {
            return rollout.switched.add(switched.hostId());
        }
        if (data instanceof HostHealthy healthy && current(healthy.deploymentSet(), healthy.rolloutId())) {
            return healthy(healthy.hostId());
        }
        if (data instanceof HostFailed failed && current(failed.deploymentSet(), failed.rolloutId())) {
            return fail(failed.hostId(), failed.reason());
        }
        if (data instanceof RolloutPaused paused && current(paused.deploymentSet(), paused.rolloutId())) {
            return pause(paused.reason());
        }
        if (data instanceof RolloutResumed resumed && current(resumed.deploymentSet(), resumed.rolloutId())) {
            return resume();
        }
        if (data instanceof RollbackRequested rollback && current(rollback.deploymentSet(), rollback.rolloutId())) {
            return abort("rollback requested by " + rollback.requestedBy() + ": " + rollback.reason());
        }
        return false;
    }

    /** Counts slots held past their deadline as failed; the agents call it with the latest log time. */
    public boolean expireSlots(Instant logTime) {
        if (rollout == null || logTime == null) {
            return false;
        }
        boolean changed = false;
        for (Map.Entry<String, Instant> held : new ArrayList<>(rollout.holding.entrySet())) {
            if (held.getValue().plus(rollout.policy().slotDeadline()).isBefore(logTime)) {
                changed |= fail(held.getKey(), "held its slot past the deadline of " + rollout.policy().slotDeadline());
            }
        }
        if (changed) {
            grant(logTime);
        }
        return changed;
    }

    public String deploymentSet() {
        return deploymentSet;
    }

    /** The rollout in progress or the latest one; null before the first. */
    public Rollout rollout() {
        return rollout;
    }

    /** What this set's hosts should run: the artifact of the last completed rollout, or null. */
    public Rollout lastCompleted() {
        return lastCompleted;
    }

    public Map<String, Boolean> members() {
        return Map.copyOf(members);
    }

    private boolean current(String set, String rolloutId) {
        return set.equals(deploymentSet) && rollout != null && rollout.id().equals(rolloutId);
    }

    private boolean start(RolloutStarted started) {
        if (rollout != null && rollout.id().equals(started.rolloutId())) {
            return false;
        }
        if (rollout != null && (rollout.status == Rollout.Status.RUNNING || rollout.status == Rollout.Status.PAUSED)) {
            rollout.status = Rollout.Status.SUPERSEDED;
            rollout.reason = "superseded by rollout " + started.rolloutId();
        }
        rollout = new Rollout(started.rolloutId(), started.recipe(), started.artifact(), started.policy());
        return true;
    }

    private boolean claim(String host) {
        if (rollout.claimed(host) || !accepting()) {
            return false;
        }
        rollout.claims.add(host);
        return true;
    }

    private boolean healthy(String host) {
        if (!rollout.holds(host)) {
            return false;
        }
        rollout.holding.remove(host);
        rollout.healthy.add(host);
        completeWhenEveryoneIsDone();
        return true;
    }

    private boolean fail(String host, String reason) {
        if (rollout.done(host) || !members.containsKey(host)) {
            return false;
        }
        rollout.holding.remove(host);
        rollout.claims.remove(host);
        rollout.failed.add(host);
        if (rollout.failed.size() > rollout.policy().failureTolerance() && rollout.status != Rollout.Status.ABORTED) {
            abort(rollout.failed.size() + " host(s) failed, more than the tolerance of "
                    + rollout.policy().failureTolerance() + "; last: " + host + ": " + reason);
        }
        completeWhenEveryoneIsDone();
        return true;
    }

    /** Every member healthy, or failed within the tolerance (those stay on, or went back to, the old version). */
    private void completeWhenEveryoneIsDone() {
        if (rollout.status == Rollout.Status.RUNNING && members.keySet().stream().allMatch(rollout::done)) {
            rollout.status = Rollout.Status.COMPLETED;
            lastCompleted = rollout;
        }
    }

    private boolean pause(String reason) {
        if (rollout.status != Rollout.Status.RUNNING) {
            return false;
        }
        rollout.status = Rollout.Status.PAUSED;
        rollout.reason = reason;
        return true;
    }

    private boolean resume() {
        if (rollout.status != Rollout.Status.PAUSED) {
            return false;
        }
        rollout.status = Rollout.Status.RUNNING;
        rollout.reason = null;
        return true;
    }

    private boolean abort(String reason) {
        if (rollout.status == Rollout.Status.ABORTED) {
            return false;
        }
        rollout.status = Rollout.Status.ABORTED;
        rollout.reason = reason;
        rollout.claims.clear();
        if (lastCompleted == rollout) {
            lastCompleted = null;
        }
        return true;
    }

    private boolean accepting() {
        return rollout.status == Rollout.Status.RUNNING || rollout.status == Rollout.Status.PAUSED
                || rollout.status == Rollout.Status.COMPLETED;
    }

    /** Grants free slots to waiting claims, canaries first. */
    private void grant(Instant logTime) {
        if (rollout == null || !(rollout.status == Rollout.Status.RUNNING || rollout.status == Rollout.Status.COMPLETED)) {
            return;
        }
        boolean canariesDone = members.entrySet().stream().filter(Map.Entry::getValue)
                .allMatch(member -> rollout.done(member.getKey()));
        Iterator<String> waiting = rollout.claims.iterator();
        while (waiting.hasNext() && rollout.holding.size() < rollout.policy().maxUnavailable()) {
            String host = waiting.next();
            boolean canary = members.getOrDefault(host, false);
            if (canary || canariesDone) {
                waiting.remove();
                rollout.holding.put(host, logTime);
                rollout.peakHolding = Math.max(rollout.peakHolding, rollout.holding.size());
            }
        }
    }
}
