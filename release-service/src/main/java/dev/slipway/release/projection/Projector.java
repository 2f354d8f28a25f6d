package dev.slipway.release.projection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.DeploymentSetEvent;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.AgentState;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ArtifactRejected;
import dev.slipway.events.artifact.ArtifactRevoked;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.events.build.BuildFailed;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.build.BuildStarted;
import dev.slipway.events.command.ApprovalRequested;
import dev.slipway.events.command.CommandEffects;
import dev.slipway.events.command.HoldReleaseRequested;
import dev.slipway.events.command.HoldRequested;
import dev.slipway.events.command.PauseRequested;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RemoveHostRequested;
import dev.slipway.events.command.ResumeRequested;
import dev.slipway.events.command.RevokeRequested;
import dev.slipway.events.command.WindowOverrideRequested;
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
import dev.slipway.events.rollout.WindowOpened;
import dev.slipway.events.rollout.WindowOverridden;
import dev.slipway.events.wire.EventJson;
import dev.slipway.release.readmodel.Artifact;
import dev.slipway.release.readmodel.AuditEntry;
import dev.slipway.release.readmodel.Build;
import dev.slipway.release.readmodel.CommandRefusal;
import dev.slipway.release.readmodel.Deployable;
import dev.slipway.release.readmodel.DeploymentSet;
import dev.slipway.release.readmodel.Host;
import dev.slipway.release.readmodel.Rollout;
import dev.slipway.release.readmodel.RolloutHost;
import dev.slipway.release.readmodel.SetHold;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Projects one event into the read model, inside the caller's transaction. The audit entry is written first and
 * doubles as the record of what was seen: an event id already there changes nothing. Every value comes from the
 * event itself (its time, never the clock), so a replay of the log rebuilds the same rows. Events about
 * something the model does not know (a step of an unknown rollout) are kept in the audit log only.
 */
public final class Projector {

    private static final Uni<Void> NOTHING = Uni.createFrom().voidItem();

    /**
     * Whether the event was new; the rows it touched are changed in {@code session} when it was. An agent's
     * heartbeat (a state that says nothing new) only moves its host's last-seen time: it is neither audited nor
     * news. A set's checkpoint repeats what the log already said: it is the agents' bookkeeping, not history.
     */
    public Uni<Boolean> project(Mutiny.Session session, Event<?> event, String topic) {
        if (event.data() instanceof SetCheckpointed) {
            return Uni.createFrom().item(false);
        }
        if (event.data() instanceof AgentState state) {
            return session.find(Host.class, state.agentId()).chain(host -> {
                if (host == null || !saysNothingNew(host, state)) {
                    return recorded(session, event, topic);
                }
                Instant seen = state.lastSeen() == null ? event.time() : state.lastSeen();
                if (host.lastSeen == null || seen.isAfter(host.lastSeen)) {
                    host.lastSeen = seen;
                }
                return Uni.createFrom().item(false);
            });
        }
        return recorded(session, event, topic);
    }

    private static boolean saysNothingNew(Host host, AgentState state) {
        return Objects.equals(host.deploymentSet, state.deploymentSet()) && Objects.equals(host.channel, state.channel())
                && Objects.equals(host.current, state.current()) && Objects.equals(host.previous, state.previous())
                && Objects.equals(host.health, state.health() == null ? null : state.health().wireName())
                && Objects.equals(host.problem, state.problem());
    }

    private Uni<Boolean> recorded(Mutiny.Session session, Event<?> event, String topic) {
        return session.find(AuditEntry.class, event.id()).chain(seen -> seen != null
                ? Uni.createFrom().item(false)
                : session.persist(audit(event, topic)).chain(() -> apply(session, event, topic)).replaceWith(true));
    }

    private Uni<Void> apply(Mutiny.Session s, Event<?> event, String topic) {
        SlipwayEvent data = event.data();
        Instant at = event.time();
        String set = deploymentSetOf(data);
        return (set == null || !establishesSet(data) ? NOTHING : knowSet(s, set, at)).chain(() -> Topics.ROLLOUTS.equals(topic)
                ? onTheSetsLog(s, event, at) : NOTHING).chain(() -> change(s, data, at));
    }

    /**
     * What a command relayed to the set's log does there, judged as the agents' fold judges it: a pause holds the
     * set (whatever rollout it named), a resume releases it, a rollback aborts the rollout it names only while that
     * is the set's latest and neither aborted nor superseded. A resume or rollback the log makes moot is recorded as
     * refused, under the id of the entry, which is the id of the command's effect.
     */
    private Uni<Void> onTheSetsLog(Mutiny.Session s, Event<?> event, Instant at) {
        if (!(event.data() instanceof DeploymentSetEvent about)) {
            return NOTHING;
        }
        return s.find(DeploymentSet.class, about.deploymentSet()).chain(set -> set == null ? NOTHING
                : holdsOf(s, set.name).chain(holds -> {
                    // The fold ends holds at the first record at or past their deadline; so does the read model.
                    List<SetHold> ended = holds.stream().filter(hold -> !at.isBefore(hold.until)).toList();
                    holds.removeAll(ended);
                    Uni<Void> removed = NOTHING;
                    for (SetHold hold : ended) {
                        removed = removed.chain(() -> s.remove(hold));
                    }
                    Object data = event.data();
                    boolean holding = !ended.isEmpty() || data instanceof RolloutPaused
                            || data instanceof RolloutResumed || data instanceof HoldPlaced
                            || data instanceof HoldReleased;
                    return removed.chain(() -> held(s, event, set, holds, at))
                            .chain(() -> holding ? reconcile(s, set, holds, at) : NOTHING);
                }))
                .chain(() -> rolledBack(s, event, at));
    }

    /** A pause, resume, hold or release, applied to the set's row and its holds as the fold applies it. */
    private Uni<Void> held(Mutiny.Session s, Event<?> event, DeploymentSet set, List<SetHold> holds, Instant at) {
        if (event.data() instanceof RolloutPaused paused && !set.paused()) {
            set.pausedBy = paused.pausedBy();
            set.pauseReason = paused.reason();
            set.pausedAt = at;
        }
        if (event.data() instanceof RolloutResumed) {
            if (!set.paused()) {
                return moot(s, event, set.name, at, "the set was not paused when the resume reached its log");
            }
            set.pausedBy = null;
            set.pauseReason = null;
            set.pausedAt = null;
        }
        if (event.data() instanceof HoldPlaced placed && placed.until() != null && !placed.until().isNegative() && !placed.until().isZero()) {
            SetHold hold = holds.stream().filter(h -> h.name.equals(placed.name())).findFirst().orElse(null);
            boolean isNew = hold == null;
            if (isNew) {
                hold = new SetHold();
                hold.id = SetHold.idOf(set.name, placed.name());
                hold.deploymentSet = set.name;
                hold.name = placed.name();
                holds.add(hold);
            }
            hold.placedBy = placed.placedBy();
            hold.reason = placed.reason();
            hold.placedAt = at;
            hold.until = at.plus(placed.until());
            hold.onExpiry = HoldPlaced.FAIL.equals(placed.onExpiry()) ? HoldPlaced.FAIL : HoldPlaced.RELEASE;
            return isNew ? s.persist(hold) : NOTHING;
        }
        if (event.data() instanceof HoldReleased released) {
            SetHold hold = holds.stream().filter(h -> h.name.equals(released.name())).findFirst().orElse(null);
            if (hold == null) {
                return moot(s, event, set.name, at, "the set had no hold named " + released.name() + " in place when "
                        + "the release reached its log (released before, or past its deadline)");
            }
            holds.remove(hold);
            return s.remove(hold);
        }
        return NOTHING;
    }

    /** The set's holds in place, by name. */
    public static Uni<List<SetHold>> holdsOf(Mutiny.Session s, String set) {
        return s.createSelectionQuery("from SetHold where deploymentSet = :set order by name", SetHold.class)
                .setParameter("set", set).getResultList().map(ArrayList::new);
    }

    /** Its rollouts underway paused while anything holds the set, running once nothing does. */
    private static Uni<Void> reconcile(Mutiny.Session s, DeploymentSet set, List<SetHold> holds, Instant at) {
        String held = heldBecause(set, holds);
        return s.createSelectionQuery("from Rollout where deploymentSet = :set and status in (:running, :paused)",
                        Rollout.class)
                .setParameter("set", set.name)
                .setParameter("running", Rollout.Status.RUNNING.name())
                .setParameter("paused", Rollout.Status.PAUSED.name())
                .getResultList().invoke(underway -> underway.forEach(r -> {
                    String status = (held == null ? Rollout.Status.RUNNING : Rollout.Status.PAUSED).name();
                    if (!status.equals(r.status) || !Objects.equals(held, r.reason)) {
                        r.status = status;
                        r.reason = held;
                        r.updatedAt = at;
                    }
                })).replaceWithVoid();
    }

    /** What holds the set, in words, as the fold says it; null when nothing does. */
    private static String heldBecause(DeploymentSet set, List<SetHold> holds) {
        List<String> why = new ArrayList<>();
        if (set.paused()) {
            why.add(pauseOf(set));
        }
        holds.forEach(hold -> why.add("held by " + hold.name + " (" + hold.placedBy + ": " + hold.reason + ", until "
                + hold.until + ")"));
        return why.isEmpty() ? null : String.join("; ", why);
    }

    private Uni<Void> rolledBack(Mutiny.Session s, Event<?> event, Instant at) {
        if (event.data() instanceof RollbackRequested rollback) {
            return latestRollout(s, rollback.deploymentSet()).chain(latest -> {
                if (latest == null || !latest.id.equals(rollback.rolloutId())) {
                    return moot(s, event, rollback.deploymentSet(), at, "rollout " + rollback.rolloutId()
                            + " was no longer the set's latest when the rollback reached its log"
                            + (latest == null ? "" : " (" + latest.id + " is, " + latest.status + ")")
                            + ": roll back again if it should go too");
                }
                if (latest.is(Rollout.Status.ABORTED) || latest.is(Rollout.Status.SUPERSEDED)) {
                    return moot(s, event, rollback.deploymentSet(), at, "rollout " + latest.id + " was already "
                            + latest.status + " when the rollback reached the set's log");
                }
                return NOTHING;
            });
        }
        return NOTHING;
    }

    private static String pauseOf(DeploymentSet set) {
        return "paused by " + set.pausedBy + ": " + set.pauseReason;
    }

    /** The set's latest rollout by start, as the set's log orders them; null before the first. */
    public static Uni<Rollout> latestRollout(Mutiny.Session s, String set) {
        return s.createSelectionQuery("from Rollout where deploymentSet = :set order by startedAt desc, id", Rollout.class)
                .setParameter("set", set).setMaxResults(1).getResultList()
                .map(found -> found.isEmpty() ? null : found.get(0));
    }

    private static Uni<Void> moot(Mutiny.Session s, Event<?> effect, String set, Instant at, String reason) {
        return refusal(s, effect.id(), null, set, "the set's log", reason, at);
    }

    /**
     * A command a consumer dead-lettered, from its dead letter: {@code command} is the command as decoded, or null
     * when the record was not a readable event at all. Recorded once per consumer, in the audit trail (where the
     * operator looks) and, for a readable command, as its refusal.
     */
    public Uni<Boolean> refused(Mutiny.Session s, Event<?> command, DeadLetter letter) {
        String about = command != null ? command.id() : letter.origin();
        String id = Event.idCausedBy(about, "refused/" + letter.consumer());
        return s.find(AuditEntry.class, id).chain(seen -> {
            if (seen != null) {
                return Uni.createFrom().item(false);
            }
            AuditEntry entry = new AuditEntry();
            entry.eventId = id;
            entry.type = REFUSED;
            entry.source = letter.consumer();
            entry.time = letter.at();
            entry.topic = Topics.deadLetter(Topics.COMMANDS);
            entry.deploymentSet = command == null ? null : deploymentSetOf(command.data());
            entry.digests = command == null ? "" : audit(command, Topics.COMMANDS).digests;
            entry.summary = (command == null ? "an unreadable record at " + letter.origin()
                    : command.type().replace("dev.slipway.", "") + " " + command.id())
                    + " refused by " + letter.consumer() + ": " + letter.message();
            entry.data = EventJson.mapper().valueToTree(letter).toString();
            Uni<Void> refusal = command == null ? NOTHING : refusal(s, CommandEffects.effectIdOf(command.id(),
                    command.type()), command.id(), entry.deploymentSet, letter.consumer(), letter.message(), letter.at());
            return s.persist(entry).chain(() -> refusal).replaceWith(true);
        });
    }

    /** The audit type of a refusal: not an event of the log, the projection's record of a dead letter. */
    public static final String REFUSED = "dev.slipway.command.refused";

    /** What a dead letter says about the record it carries. */
    public record DeadLetter(String consumer, String reason, String message, String origin, Instant at) {
    }

    private static Uni<Void> refusal(Mutiny.Session s, String effectId, String commandId, String set, String by,
            String reason, Instant at) {
        return upsert(s, CommandRefusal.class, effectId, () -> {
            CommandRefusal r = new CommandRefusal();
            r.effectId = effectId;
            r.refusedBy = by;
            r.reason = reason;
            r.refusedAt = at;
            return r;
        }, r -> {
            if (commandId != null) {
                r.commandId = commandId;
            }
            if (set != null) {
                r.deploymentSet = set;
            }
        });
    }

    /**
     * Whether the event says a set exists: a host is in it, a release was flagged or built for it, a rollout of it
     * began. A pause, a host's step or a command about a set nobody knows is history of that set, kept in the
     * audit trail, not a reason to list a set forever.
     */
    private static boolean establishesSet(Object data) {
        return data instanceof HostJoined || data instanceof AgentState || data instanceof ArtifactDeployable
                || data instanceof ChannelStateSigned || data instanceof RolloutStarted || data instanceof ArtifactBuilt;
    }

    private Uni<Void> change(Mutiny.Session s, SlipwayEvent data, Instant at) {
        return data.accept(new Change(s, at));
    }

    /**
     * What each event changes in the read model beyond its audit row, in session {@code s} at the event's time
     * {@code at}: a method for every type, so a new type does not compile until the projection decides. Commands
     * and the reports that change no row have the audit trail as their whole projection.
     */
    private final class Change implements SlipwayEvent.Visitor<Uni<Void>> {

        private final Mutiny.Session s;
        private final Instant at;

        Change(Mutiny.Session s, Instant at) {
            this.s = s;
            this.at = at;
        }

        @Override
        public Uni<Void> visit(BuildRequested requested) {
            return build(s, requested.recipe(), b -> {
                if (b.requestedAt == null || !at.isBefore(b.requestedAt)) {
                    b.requestedBy = requested.requestedBy();
                    b.requestedAt = at;
                }
            });
        }

        @Override
        public Uni<Void> visit(BuildStarted started) {
            return build(s, started.recipe(), b -> {
                if (b.startedAt == null || !at.isBefore(b.startedAt)) {
                    b.builder = started.builder();
                    b.startedAt = at;
                    b.hermetic = started.hermetic();
                }
            });
        }

        @Override
        public Uni<Void> visit(BuildFailed failed) {
            return build(s, failed.recipe(), b -> finished(b, at, failed.builder(), failed.hermetic(), failed.log(), () -> {
                b.artifact = null;
                b.cacheHit = null;
                b.reason = failed.reason();
            }));
        }

        @Override
        public Uni<Void> visit(ArtifactBuilt built) {
            return build(s, built.recipe(), b -> finished(b, at, built.builder(), built.hermetic(), built.log(), () -> {
                b.artifact = built.artifact();
                b.cacheHit = built.cacheHit();
                b.reason = null;
            })).chain(() -> artifact(s, built.artifact(), built.recipe(), at, a -> {
                a.deploymentSet = built.deploymentSet();
                a.inputs = json(new TreeMap<>(built.inputs()));
                a.provenance = built.provenance();
                a.signature = built.signature();
                a.log = built.log();
                a.builder = built.builder();
                a.hermetic = built.hermetic();
            }));
        }

        @Override
        public Uni<Void> visit(ArtifactRejected rejected) {
            return artifact(s, rejected.artifact(), rejected.recipe(), at, a -> a.rejectedReason = rejected.reason());
        }

        @Override
        public Uni<Void> visit(ArtifactDeployable deployable) {
            String id = Deployable.idOf(deployable.deploymentSet(), deployable.channel(), deployable.recipe());
            return upsert(s, Deployable.class, id, () -> {
                Deployable d = new Deployable();
                d.id = id;
                d.deploymentSet = deployable.deploymentSet();
                d.channel = deployable.channel();
                d.recipe = deployable.recipe();
                return d;
            }, d -> {
                d.artifact = deployable.artifact();
                d.flaggedBy = deployable.flaggedBy();
                d.flaggedAt = at;
            });
        }

        @Override
        public Uni<Void> visit(ArtifactRevoked revoked) {
            return s.createSelectionQuery("from Deployable where deploymentSet = :set and recipe = :recipe", Deployable.class)
                    .setParameter("set", revoked.deploymentSet()).setParameter("recipe", revoked.recipe())
                    .getResultList().invoke(flags -> flags.forEach(d -> {
                        d.revokedBy = revoked.revokedBy();
                        d.revokedAt = at;
                        d.revokeReason = revoked.reason();
                    })).replaceWithVoid();
        }

        @Override
        public Uni<Void> visit(HostJoined joined) {
            return host(s, joined.hostId(), joined.deploymentSet(), h -> {
                h.canary = joined.canary();
                h.member = true;
            });
        }

        @Override
        public Uni<Void> visit(HostLeft left) {
            return host(s, left.hostId(), left.deploymentSet(), h -> h.member = false);
        }

        @Override
        public Uni<Void> visit(AgentState state) {
            return host(s, state.agentId(), state.deploymentSet(), h -> {
                h.deploymentSet = state.deploymentSet();
                h.channel = state.channel();
                h.current = state.current();
                h.previous = state.previous();
                h.health = state.health() == null ? null : state.health().wireName();
                h.problem = state.problem();
                h.lastSeen = state.lastSeen() == null ? at : state.lastSeen();
            });
        }

        @Override
        public Uni<Void> visit(RolloutStarted started) {
            return start(s, started, at);
        }

        @Override
        public Uni<Void> visit(HostClaimed claimed) {
            return hostStep(s, claimed.rolloutId(), claimed.hostId(), at, (r, h) -> h.step = RolloutHost.Step.CLAIMED.name());
        }

        @Override
        public Uni<Void> visit(HostDrained drained) {
            return hostStep(s, drained.rolloutId(), drained.hostId(), at, (r, h) -> {
                h.step = RolloutHost.Step.DRAINED.name();
                h.drainedClean = drained.clean();
            });
        }

        @Override
        public Uni<Void> visit(HostSwitched switched) {
            return hostStep(s, switched.rolloutId(), switched.hostId(), at, (r, h) -> {
                h.step = RolloutHost.Step.SWITCHED.name();
                h.fromArtifact = switched.fromArtifact();
                h.generation = switched.generation();
            });
        }

        @Override
        public Uni<Void> visit(HostHealthy healthy) {
            return hostStep(s, healthy.rolloutId(), healthy.hostId(), at, (r, h) -> h.step = RolloutHost.Step.HEALTHY.name());
        }

        @Override
        public Uni<Void> visit(GateReached gate) {
            return rollout(s, gate.rolloutId(), at, r -> {
                if (gate.batch() > r.gateBatch) {
                    // The next batch's gate: the approval of the one before does not count for it.
                    r.gateBatch = gate.batch();
                    r.gateSince = at;
                    r.approvedBy = null;
                } else if (r.approvedBy == null && r.gateSince == null) {
                    r.gateSince = at;
                }
            });
        }

        @Override
        public Uni<Void> visit(PrerequisiteMet met) {
            return rollout(s, met.rolloutId(), at, r -> {
                if (r.prerequisitesMet == null) {
                    r.prerequisitesMet = met.after();
                } else if (!List.of(r.prerequisitesMet.split("\n")).contains(met.after())) {
                    r.prerequisitesMet += "\n" + met.after();
                }
            });
        }

        @Override
        public Uni<Void> visit(WindowOverridden overridden) {
            return rollout(s, overridden.rolloutId(), at, r -> {
                if (r.windowOverriddenBy == null) {
                    r.windowOverriddenBy = overridden.overriddenBy();
                }
            });
        }

        @Override
        public Uni<Void> visit(GateApproved approved) {
            return rollout(s, approved.rolloutId(), at, r -> {
                if (r.approvedBy == null && approved.batch() == r.gateBatch) {
                    r.approvedBy = approved.approvedBy();
                }
            });
        }

        @Override
        public Uni<Void> visit(HookRan ran) {
            return hostStep(s, ran.rolloutId(), ran.hostId(), at, (r, h) -> h.hooks = (h.hooks == null ? ""
                    : h.hooks + "\n") + ran.hook() + " exited " + ran.exitCode() + " in " + ran.millis() + " ms"
                    + (ran.output().isBlank() ? "" : ": " + ran.output().strip()));
        }

        @Override
        public Uni<Void> visit(HostFailed failed) {
            return hostStep(s, failed.rolloutId(), failed.hostId(), at, (r, h) -> {
                // A host reported failed twice (by itself and by a peer) is one failure.
                if (!RolloutHost.Step.FAILED.name().equals(h.step)) {
                    r.failures++;
                }
                h.step = RolloutHost.Step.FAILED.name();
                h.reason = failed.reason();
                h.reportedBy = failed.reportedBy();
            });
        }

        @Override
        public Uni<Void> visit(RolloutCompleted completed) {
            return rollout(s, completed.rolloutId(), at, r -> {
                r.status = Rollout.Status.COMPLETED.name();
                r.endedAt = at;
            });
        }

        @Override
        public Uni<Void> visit(RolloutAborted aborted) {
            return rollout(s, aborted.rolloutId(), at, r -> {
                r.status = Rollout.Status.ABORTED.name();
                r.reason = aborted.reason();
                r.endedAt = at;
            });
        }

        @Override
        public Uni<Void> visit(RollbackRequested rollback) {
            if (!(rollback.rolloutId() != null)) {
                return NOTHING;
            }
            return rollout(s, rollback.rolloutId(), at,
                    r -> r.reason = "rollback requested by " + rollback.requestedBy() + ": " + rollback.reason());
        }

        @Override
        public Uni<Void> visit(ChannelStateSigned event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(HostOverdue event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(RolloutPaused event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(RolloutResumed event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(HoldPlaced event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(HoldReleased event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(HoldOverdue event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(GateOverdue event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(WindowOpened event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(SetCheckpointed event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(PromoteRequested event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(PauseRequested event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(ResumeRequested event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(HoldRequested event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(HoldReleaseRequested event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(ApprovalRequested event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(WindowOverrideRequested event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(RemoveHostRequested event) {
            return NOTHING;
        }

        @Override
        public Uni<Void> visit(RevokeRequested event) {
            return NOTHING;
        }
    }

    private Uni<Void> start(Mutiny.Session s, RolloutStarted started, Instant at) {
        return s.find(Rollout.class, started.rolloutId()).chain(known -> {
            if (known != null) {
                return NOTHING;
            }
            return s.createSelectionQuery("from Rollout where deploymentSet = :set and status in (:running, :paused)",
                            Rollout.class)
                    .setParameter("set", started.deploymentSet())
                    .setParameter("running", Rollout.Status.RUNNING.name())
                    .setParameter("paused", Rollout.Status.PAUSED.name())
                    .getResultList().invoke(running -> running.forEach(r -> {
                        r.status = Rollout.Status.SUPERSEDED.name();
                        r.reason = "superseded by rollout " + started.rolloutId();
                        r.updatedAt = at;
                        r.endedAt = at;
                    })).chain(() -> s.find(DeploymentSet.class, started.deploymentSet())).chain(set -> (set == null
                            ? Uni.createFrom().item(List.<SetHold>of()) : holdsOf(s, set.name)).chain(holds -> {
                        String held = set == null ? null : heldBecause(set, holds);
                        Rollout r = new Rollout();
                        r.id = started.rolloutId();
                        r.deploymentSet = started.deploymentSet();
                        r.channel = started.channel();
                        r.recipe = started.recipe();
                        r.artifact = started.artifact();
                        r.policy = json(started.policy());
                        // A rollout that starts while the set is held holds from its start, as the agents' fold has it.
                        r.status = (held != null ? Rollout.Status.PAUSED : Rollout.Status.RUNNING).name();
                        r.reason = held;
                        r.startedAt = at;
                        r.updatedAt = at;
                        return s.persist(r);
                    }));
        });
    }


    private interface StepChange {
        void apply(Rollout rollout, RolloutHost host);
    }

    private Uni<Void> hostStep(Mutiny.Session s, String rolloutId, String host, Instant at, StepChange change) {
        return s.find(Rollout.class, rolloutId).chain(rollout -> {
            if (rollout == null) {
                return NOTHING;
            }
            String id = RolloutHost.idOf(rolloutId, host);
            return upsert(s, RolloutHost.class, id, () -> {
                RolloutHost h = new RolloutHost();
                h.id = id;
                h.rolloutId = rolloutId;
                h.host = host;
                return h;
            }, h -> {
                change.apply(rollout, h);
                h.updatedAt = at;
                rollout.updatedAt = at;
            });
        });
    }

    private Uni<Void> rollout(Mutiny.Session s, String id, Instant at, Consumer<Rollout> change) {
        return s.find(Rollout.class, id).invoke(r -> {
            if (r != null) {
                change.accept(r);
                r.updatedAt = at;
            }
        }).replaceWithVoid();
    }

    private Uni<Void> knowSet(Mutiny.Session s, String name, Instant at) {
        return upsert(s, DeploymentSet.class, name, () -> {
            DeploymentSet set = new DeploymentSet();
            set.name = name;
            set.firstSeen = at;
            return set;
        }, set -> {
            // A replay in another topic order still keeps the earliest sighting.
            if (at.isBefore(set.firstSeen)) {
                set.firstSeen = at;
            }
        });
    }

    /**
     * Builds and artifacts are different topics, so a replay may read a build's outcome before its request: each
     * part of the row (request, start, outcome) keeps its latest event by time, and the state is the latest part.
     */
    private Uni<Void> build(Mutiny.Session s, String recipe, Consumer<Build> change) {
        return upsert(s, Build.class, recipe, () -> {
            Build b = new Build();
            b.recipe = recipe;
            return b;
        }, b -> {
            change.accept(b);
            b.settleState();
        });
    }

    private static void finished(Build b, Instant at, String builder, boolean hermetic, String log, Runnable outcome) {
        if (b.finishedAt == null || !at.isBefore(b.finishedAt)) {
            b.finishedAt = at;
            b.builder = builder;
            b.hermetic = hermetic;
            b.log = log;
            outcome.run();
        }
    }

    private Uni<Void> artifact(Mutiny.Session s, String digest, String recipe, Instant at, Consumer<Artifact> change) {
        return upsert(s, Artifact.class, digest, () -> {
            Artifact a = new Artifact();
            a.digest = digest;
            a.recipe = recipe;
            a.inputs = "{}";
            a.builtAt = at;
            return a;
        }, change);
    }

    private Uni<Void> host(Mutiny.Session s, String agentId, String set, Consumer<Host> change) {
        return upsert(s, Host.class, agentId, () -> {
            Host h = new Host();
            h.agentId = agentId;
            h.deploymentSet = set;
            h.member = true;
            return h;
        }, change);
    }

    private static <T> Uni<Void> upsert(Mutiny.Session s, Class<T> type, Object id, Supplier<T> create,
            Consumer<T> change) {
        return s.find(type, id).chain(found -> {
            if (found != null) {
                change.accept(found);
                return NOTHING;
            }
            T created = create.get();
            change.accept(created);
            return s.persist(created);
        });
    }

    /** The set an event is about; null for events about no one set (a build request, a rejection). */
    static String deploymentSetOf(Object data) {
        return data instanceof DeploymentSetEvent member ? member.deploymentSet()
                : data instanceof AgentState state ? state.deploymentSet()
                : data instanceof ArtifactBuilt built ? built.deploymentSet() : null;
    }

    private static AuditEntry audit(Event<?> event, String topic) {
        AuditEntry entry = new AuditEntry();
        entry.eventId = event.id();
        entry.type = event.type();
        entry.source = event.source();
        entry.time = event.time();
        entry.topic = topic;
        entry.deploymentSet = deploymentSetOf(event.data());
        JsonNode tree = EventJson.mapper().valueToTree(event.data());
        TreeSet<String> digests = new TreeSet<>();
        collectDigests(tree, digests);
        entry.digests = String.join(" ", digests);
        entry.summary = Summaries.of(event.data());
        entry.data = tree.toString();
        return entry;
    }

    private static void collectDigests(JsonNode node, TreeSet<String> digests) {
        if (node.isTextual() && node.asText().startsWith("sha256:")) {
            digests.add(node.asText());
        }
        node.forEach(child -> collectDigests(child, digests));
    }

    private static String json(Object value) {
        try {
            return EventJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + " as JSON", e);
        }
    }
}
