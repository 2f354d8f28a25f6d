package dev.slipway.agent.rollout;

import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.rollout.GateOverdue;
import dev.slipway.events.rollout.GateReached;
import dev.slipway.events.rollout.HoldOverdue;
import dev.slipway.events.rollout.WindowOpened;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostOverdue;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutStarted;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a host's agent does next: a pure function of its set's fold and what the host knows of itself. The
 * agent's shell and the simulation both call it; neither decides anything of its own.
 *
 * <p>In order: stand aside when another agent took this host's id or the set removed the host; join; start a
 * rollout for a newer deployable (once the recipe is read: the policy is the recipe's; the first member by name
 * at once, each next one a second after it read the release, all under one event id); act on a slot the host
 * holds (take the version, or go back); claim a slot to go back when the host switched and the rollout aborted
 * or failed it; prepare, then claim or refuse the current rollout; report peers past a deadline (only so that a
 * record carries the log's time past it; reports are sent again while the log has not passed it, as a fast
 * clock sends them early); announce the end, first member first and each next one a little later, all with
 * the same event id, so one live member is enough and duplicates fold to one.
 */
public final class Decisions {

    /** How long before a deadline report that the log did not yet honour is sent again. */
    public static final Duration REPORT_AGAIN = Duration.ofSeconds(5);
    /** How often a member looks again at the log of a set its rollout follows. */
    public static final Duration PREREQUISITE_POLL = Duration.ofSeconds(5);
    /** How much later each next member announces an end that is not on the log yet. */
    public static final Duration ANNOUNCE_STAGGER = Duration.ofSeconds(1);

    private Decisions() {
    }

    /** The id every agent gives the rollout answering a deployable event. */
    public static String rolloutIdOf(String deployableEventId) {
        return UUID.nameUUIDFromBytes(("rollout/" + deployableEventId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The id every agent gives a rollout's start, so that many starts fold to one. */
    public static String startIdOf(String rolloutId) {
        return UUID.nameUUIDFromBytes(("start/" + rolloutId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The id every agent gives a rollout's end, so that many announcements fold to one. */
    public static String endIdOf(String rolloutId, Rollout.Status end) {
        return UUID.nameUUIDFromBytes(("end/" + rolloutId + "/" + end).getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static List<Step> next(SetFold fold, HostView host) {
        List<Step> steps = new ArrayList<>();
        String set = fold.deploymentSet();
        String me = host.me();
        if (fold.retired(host.instance())) {
            steps.add(new Step.StandAside("another agent joined set " + set + " as " + me
                    + " after this one: two agents share the id " + me + "; give each its own slipway.agent.id"));
            return steps;
        }
        Membership.Member member = fold.member(me);
        if (member == null || !host.instance().equals(member.instance())) {
            if (fold.removed().contains(me) && (!host.rejoin() || fold.joined(host.instance()))) {
                steps.add(new Step.StandAside(me + " was removed from set " + set
                        + "; to add it back on purpose, start its agent once with slipway.agent.rejoin=true"));
                return steps;
            }
            once(steps, host, new Step.Append("join/" + host.instance(),
                    new HostJoined(set, me, host.canary(), host.instance()), null));
            return steps;
        }
        Rollout rollout = fold.rollout();
        startForNewerDeployable(steps, fold, host);
        if (rollout == null) {
            return steps;
        }
        SetFold.Slot slot = fold.slots().get(me);
        if (slot != null) {
            actOnSlot(steps, fold, host, slot);
        } else if (fold.mustGoBack(rollout, me)) {
            if (rollout.artifact().equals(host.running()) && !rollout.revertClaimed(me)) {
                once(steps, host, new Step.Append("claim-back/" + rollout.id(), new HostClaimed(set, rollout.id(), me), null));
            }
        } else if (rollout.reverted().contains(me) && rollout.artifact().equals(host.running())
                && (rollout.status() == Rollout.Status.ABORTED || rollout.failed().contains(me))) {
            // The log says this host went back, but it crashed before its disk did: say what it runs.
            once(steps, host, new Step.Append("runs/" + rollout.id(), new HostSwitched(set, rollout.id(), me, null,
                    rollout.artifact(), 0), null));
        } else if (takesPart(fold, rollout, me)) {
            String refusal = host.refused().containsKey(rollout.id()) ? host.refused().get(rollout.id())
                    : host.revocationOf(rollout);
            if (refusal != null) {
                once(steps, host, new Step.Append("refuse/" + rollout.id(),
                        new HostFailed(set, rollout.id(), me, refusal, me), null));
            } else if (host.releases(rollout)) {
                if (ready(host, rollout)) {
                    once(steps, host, new Step.Append("claim/" + rollout.id(), new HostClaimed(set, rollout.id(), me),
                            null));
                } else {
                    prepare(steps, host, rollout.id(), rollout.recipe(), rollout.artifact());
                }
            }
            // Otherwise it is not this channel's release by a fresh signed state (not read yet, expired, or moved
            // past, in which case the rollout of the newer one supersedes it): wait.
        }
        reportDeadlines(steps, fold, host);
        checkPrerequisites(steps, fold, host);
        announceGate(steps, fold, host);
        announceEnd(steps, fold, host);
        return steps;
    }

    private static void startForNewerDeployable(List<Step> steps, SetFold fold, HostView host) {
        HostView.Deployable latest = host.latest();
        if (latest == null) {
            return;
        }
        String id = rolloutIdOf(latest.eventId());
        Rollout rollout = fold.rollout();
        if (rollout != null && (rollout.id().equals(id) || rollout.deployableOffset >= latest.offset())) {
            return;
        }
        RolloutPolicy policy = host.recipes().get(latest.recipe());
        if (policy == null) {
            prepare(steps, host, id, latest.recipe(), latest.artifact());
            return;
        }
        // Members take turns by name, as with the end: one live member starts it, usually alone, not every member.
        int rank = Math.max(0, rank(fold, host.me()));
        if (host.now().isBefore(latest.seenAt().plus(ANNOUNCE_STAGGER.multipliedBy(rank)))) {
            return;
        }
        once(steps, host, new Step.Append("start/" + id, new RolloutStarted(fold.deploymentSet(), id, latest.channel(),
                latest.recipe(), latest.artifact(), policy, latest.offset()), startIdOf(id)));
    }

    private static void actOnSlot(List<Step> steps, SetFold fold, HostView host, SetFold.Slot slot) {
        Rollout under = slot.rollout();
        String me = host.me();
        boolean onIt = under.artifact().equals(host.running());
        boolean live = under == fold.rollout() && under.status().takesClaims();
        if (slot.back() || (under.status() == Rollout.Status.ABORTED && onIt && under.onIt(me))) {
            once(steps, host, new Step.GoBack(under));
        } else if (onIt || (live && host.revocationOf(under) == null)) {
            if (ready(host, under)) {
                once(steps, host, new Step.TakeSlot(under, under.switched().contains(me)));
            } else {
                prepare(steps, host, under.id(), under.recipe(), under.artifact());
            }
        } else {
            String why = live ? host.revocationOf(under)
                    : "rollout " + under.id() + " was " + under.status() + " before this host switched";
            once(steps, host, new Step.Append("give-back/" + under.id(), new HostFailed(fold.deploymentSet(), under.id(),
                    me, "gave its slot back untouched: " + why, me), null));
        }
    }

    /** A member that still has to take part in the rollout: claim it, or refuse it. */
    private static boolean takesPart(SetFold fold, Rollout rollout, String me) {
        boolean active = rollout.status().underway()
                || (rollout.status() == Rollout.Status.COMPLETED && fold.lastCompleted() == rollout);
        return active && !rollout.claimed(me);
    }

    private static boolean ready(HostView host, Rollout rollout) {
        return host.prepared().contains(rollout.id()) && host.installed().contains(rollout.artifact())
                && host.recipes().containsKey(rollout.recipe());
    }

    private static void prepare(List<Step> steps, HostView host, String rolloutId, String recipe, String artifact) {
        Instant retry = host.retryAt().get(rolloutId);
        if (!host.refused().containsKey(rolloutId) && (retry == null || !host.now().isBefore(retry))) {
            once(steps, host, new Step.Prepare(rolloutId, recipe, artifact));
        }
    }

    /** Each member reports a second after the one before it by name, so one live member reports, usually alone. */
    private static void reportDeadlines(List<Step> steps, SetFold fold, HostView host) {
        String set = fold.deploymentSet();
        Duration after = ANNOUNCE_STAGGER.multipliedBy(Math.max(0, rank(fold, host.me())));
        Instant now = host.now().minus(after);
        for (Map.Entry<String, SetFold.Slot> held : fold.slots().entrySet()) {
            SetFold.Slot slot = held.getValue();
            Duration deadline = slot.rollout().policy().slotDeadline();
            if (!held.getKey().equals(host.me()) && now.isAfter(slot.grantedAt().plus(deadline))) {
                report(steps, host, "late/" + slot.rollout().id() + "/" + held.getKey() + "/" + slot.grantedAt(),
                        new HostOverdue(set, slot.rollout().id(), held.getKey(), HostOverdue.SLOT,
                                "silent past its slot deadline of " + deadline, host.me()));
            }
        }
        fold.holds().forEach((name, hold) -> {
            if (!now.isBefore(hold.until())) {
                report(steps, host, "hold-over/" + name + "/" + hold.since(), new HoldOverdue(set, name, host.me()));
            }
        });
        Rollout rollout = fold.rollout();
        if (rollout.atGate() && now.isAfter(rollout.gateDeadline())) {
            report(steps, host, "gate-over/" + rollout.id() + "/" + rollout.batch(),
                    new GateOverdue(set, rollout.id(), host.me()));
        }
        Instant opens = fold.windowOpensAt();
        if (opens != null && !now.isBefore(opens)) {
            report(steps, host, "window/" + rollout.id() + "/" + opens, new WindowOpened(set, rollout.id(), host.me()));
        }
        if (rollout.status() != Rollout.Status.RUNNING) {
            return;
        }
        Duration deadline = rollout.policy().progressDeadline();
        if (!now.isAfter(rollout.waitingSince().plus(deadline))) {
            // Nobody waited for since before the rollout began waiting can be late yet: in big sets, the common case.
            return;
        }
        for (String member : fold.members().keySet()) {
            if (!member.equals(host.me()) && !rollout.claimed(member) && !rollout.holds(member)
                    && !rollout.lost().contains(member) && now.isAfter(fold.waitingSince(member).plus(deadline))) {
                report(steps, host, "lost/" + rollout.id() + "/" + member, new HostOverdue(set, rollout.id(), member,
                        HostOverdue.PROGRESS, "did not claim within the progress deadline of " + deadline
                                + ": counted as lost, not failed; it may still claim", host.me()));
            }
        }
    }

    /** Looks again, every {@link #PREREQUISITE_POLL}, at the sets the rollout still waits for. */
    private static void checkPrerequisites(List<Step> steps, SetFold fold, HostView host) {
        Rollout rollout = fold.rollout();
        if (!rollout.status().underway()) {
            return;
        }
        for (String after : rollout.waitingFor()) {
            Step.CheckPrerequisite check = new Step.CheckPrerequisite(rollout.id(), after, rollout.policy().release());
            Instant checked = host.done().get(check.key());
            if (checked == null || !host.now().isBefore(checked.plus(PREREQUISITE_POLL))) {
                steps.add(check);
            }
        }
    }

    /** The id every member gives the news that a rollout's prerequisite is met, so that many fold to one. */
    public static String prerequisiteIdOf(String rolloutId, String after) {
        return UUID.nameUUIDFromBytes(("after/" + rolloutId + "/" + after).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Says the rollout waits at its gate, for the operator's view: first member first, all under one id. */
    private static void announceGate(List<Step> steps, SetFold fold, HostView host) {
        Rollout rollout = fold.rollout();
        if (!rollout.atGate() || rollout.status() != Rollout.Status.RUNNING) {
            return;
        }
        int rank = rank(fold, host.me());
        if (rank < 0 || host.now().isBefore(rollout.gateSince().plus(ANNOUNCE_STAGGER.multipliedBy(rank)))) {
            return;
        }
        once(steps, host, new Step.Append("gate/" + rollout.id() + "/" + rollout.batch(), new GateReached(
                fold.deploymentSet(), rollout.id(), host.me(), rollout.batch()), gateIdOf(rollout.id(), rollout.batch())));
    }

    /** The id every agent gives the announcement that a rollout waits at its gate for this batch. */
    public static String gateIdOf(String rolloutId, int batch) {
        String gate = batch == 0 ? "gate/" + rolloutId : "gate/" + rolloutId + "/" + batch;
        return UUID.nameUUIDFromBytes(gate.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void announceEnd(List<Step> steps, SetFold fold, HostView host) {
        Rollout rollout = fold.rollout();
        if (!rollout.status().ended() || rollout.announced()) {
            return;
        }
        int rank = rank(fold, host.me());
        if (rank < 0 || host.now().isBefore(rollout.endedAt().plus(ANNOUNCE_STAGGER.multipliedBy(rank)))) {
            return;
        }
        String set = fold.deploymentSet();
        once(steps, host, new Step.Append("end/" + rollout.id() + "/" + rollout.status(),
                rollout.status() == Rollout.Status.COMPLETED ? new RolloutCompleted(set, rollout.id())
                        : new RolloutAborted(set, rollout.id(), rollout.reason()),
                endIdOf(rollout.id(), rollout.status())));
    }

    /** The member's place among the set's members by name; -1 for a host that is no member. */
    private static int rank(SetFold fold, String me) {
        return fold.rank(me);
    }

    private static void once(List<Step> steps, HostView host, Step step) {
        if (!host.done().containsKey(step.key())) {
            steps.add(step);
        }
    }

    private static void report(List<Step> steps, HostView host, String key, SlipwayEvent event) {
        Instant sent = host.done().get(key);
        if (sent == null || host.now().isAfter(sent.plus(REPORT_AGAIN))) {
            steps.add(new Step.Append(key, event, null));
        }
    }
}
