package dev.slipway.agent.rollout.sim;

import dev.slipway.agent.rollout.Checkpointer;
import dev.slipway.agent.rollout.Decisions;
import dev.slipway.agent.rollout.HostView;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.agent.rollout.SetFold;
import dev.slipway.agent.rollout.Step;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.SetCheckpointed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One simulated host: its disk and service (which survive a crash of its agent) and its agent (which does
 * not). The agent reads the simulated log, folds it with the real {@link SetFold}, asks the real
 * {@link Decisions} what to do, and carries each step out in simulated time, stage by stage, so that a crash
 * can fall between any two stages. It writes checkpoints as agents do, and starts from the newest one.
 */
final class SimHost {

    final String id;
    final boolean canary;
    final Simulation sim;
    /** The disk: what {@code current} points at, and every generation in order. */
    String running;
    final List<String> generations = new ArrayList<>();
    final Set<String> installed = new HashSet<>();
    /** True while a step of the agent keeps the service out of service (drained, switching, starting). */
    boolean outOfService;
    Duration skew = Duration.ZERO;
    boolean rejoin;

    boolean alive;
    /** The log position at which this host's fold was last compared with the oracle's. */
    int lastChecked = -1;
    int incarnation;
    private String instance;
    SetFold fold;
    private Checkpointer checkpointer;
    private int position;
    private boolean busy;
    private final Map<String, RolloutPolicy> recipes = new HashMap<>();
    private final Set<String> prepared = new HashSet<>();
    private final Map<String, String> refused = new HashMap<>();
    private final Map<String, Instant> retryAt = new HashMap<>();
    private final Map<String, Instant> done = new HashMap<>();

    SimHost(Simulation sim, String id, boolean canary, String initial) {
        this.sim = sim;
        this.id = id;
        this.canary = canary;
        this.running = initial;
        generations.add(initial);
        installed.add(initial);
    }

    Instant now() {
        return sim.time().plus(skew);
    }

    void start() {
        alive = true;
        incarnation++;
        instance = new UUID(sim.random().nextLong(), sim.random().nextLong()).toString();
        checkpointer = new Checkpointer(Simulation.CHECKPOINT_EVERY, 1);
        fold = new SetFold(Simulation.SET);
        position = 0;
        List<Simulation.Entry> log = sim.log();
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i).event().data() instanceof SetCheckpointed checkpoint) {
                fold = Checkpointer.restore(checkpoint, Simulation.SET);
                checkpointer.seen(checkpoint, log.get(i).time());
                position = (int) checkpoint.readTo();
                sim.startsFromCheckpoint++;
                break;
            }
        }
        lastChecked = -1;
        busy = false;
        outOfService = false;
        recipes.clear();
        prepared.clear();
        refused.clear();
        retryAt.clear();
        done.clear();
        schedulePoll();
    }

    void crash() {
        alive = false;
        incarnation++;
    }

    private void schedulePoll() {
        int mine = incarnation;
        sim.after(Duration.ofMillis(200 + sim.random().nextInt(200)), () -> {
            if (mine == incarnation && alive) {
                poll();
            }
        });
    }

    private void poll() {
        List<Simulation.Entry> log = sim.log();
        while (position < log.size()) {
            Simulation.Entry entry = log.get(position);
            if (entry.event().data() instanceof SetCheckpointed checkpoint) {
                checkpointer.seen(checkpoint, entry.time());
            }
            fold.apply(entry.event(), entry.time(), position++);
        }
        sim.checkSameFold(this, position);
        List<Step> steps = new ArrayList<>(Decisions.next(fold, view()));
        checkpointer.due(fold, id, now(), position).ifPresent(checkpoint -> steps.add(
                new Step.Append("checkpoint/" + checkpoint.offset(), checkpoint, null)));
        carryOut(steps, 0);
    }

    private HostView view() {
        return new HostView(id, instance, canary, rejoin, running, Set.copyOf(installed), Map.copyOf(recipes),
                Set.copyOf(prepared), Map.copyOf(refused), Map.copyOf(retryAt), Map.copyOf(done),
                HostView.Released.fresh(sim.latestDeployable()), now());
    }

    /** Carries steps out one after the other; a long one (prepare, slot) keeps the agent busy until it ends. */
    private void carryOut(List<Step> steps, int index) {
        if (index == steps.size()) {
            busy = false;
            schedulePoll();
            return;
        }
        busy = true;
        Step step = steps.get(index);
        done.put(step.key(), now());
        Runnable next = () -> carryOut(steps, index + 1);
        if (step instanceof Step.Append append) {
            append(append.event(), append.eventId(), next);
        } else if (step instanceof Step.Prepare prepare) {
            prepare(prepare, next);
        } else if (step instanceof Step.TakeSlot slot) {
            takeSlot(slot.rollout(), slot.switchedBefore(), next);
        } else if (step instanceof Step.GoBack back) {
            goBack(back.rollout(), next);
        } else if (step instanceof Step.StandAside) {
            next.run();
        }
    }

    /** Runs {@code then} after {@code delay} unless the agent crashed meanwhile. */
    private void later(Duration delay, Runnable then) {
        int mine = incarnation;
        sim.after(delay, () -> {
            if (mine == incarnation && alive) {
                then.run();
            }
        });
    }

    private void append(SlipwayEvent data, String eventId, Runnable then) {
        Event<SlipwayEvent> event = new Event<>(eventId == null ? new UUID(sim.random().nextLong(),
                sim.random().nextLong()).toString() : eventId, "/sim/" + id, now(), data);
        int mine = incarnation;
        // A record in flight when its agent dies lands or not, but never after the agent's successor started.
        sim.append(event, () -> mine == incarnation || (!alive && mine + 1 == incarnation), () -> {
            if (mine == incarnation && alive) {
                then.run();
            }
        });
    }

    private void prepare(Step.Prepare step, Runnable then) {
        later(sim.fetchTime(), () -> {
            done.remove(step.key());
            if (sim.storeDown()) {
                retryAt.put(step.rolloutId(), now().plusSeconds(1 + sim.random().nextInt(3)));
            } else {
                recipes.put(step.recipe(), sim.policy());
                if (sim.refuses(id, step.artifact())) {
                    refused.put(step.rolloutId(), "provenance does not verify on " + id);
                } else {
                    installed.add(step.artifact());
                    prepared.add(step.rolloutId());
                }
            }
            then.run();
        });
    }

    private void takeSlot(Rollout rollout, boolean switchedBefore, Runnable then) {
        String set = Simulation.SET;
        if (rollout.artifact().equals(running)) {
            later(sim.healthTime(), () -> {
                if (!sim.sick(id, running)) {
                    append(new HostHealthy(set, rollout.id(), id), null, then);
                } else if (switchedBefore) {
                    returnFrom(rollout, () -> append(new HostFailed(set, rollout.id(), id, "unhealthy", id), null, then));
                } else {
                    append(new HostFailed(set, rollout.id(), id, "unhealthy", id), null, then);
                }
            });
            return;
        }
        outOfService = true;
        later(sim.drainTime(), () -> append(new HostDrained(set, rollout.id(), id, true), null,
                () -> append(new HostSwitched(set, rollout.id(), id, running, rollout.artifact(), generations.size() + 1),
                        null, () -> later(Duration.ofMillis(10), () -> {
                            switchTo(rollout.artifact());
                            later(sim.healthTime(), () -> {
                                if (!sim.sick(id, running)) {
                                    outOfService = false;
                                    append(new HostHealthy(set, rollout.id(), id), null, then);
                                } else {
                                    returnFrom(rollout, () -> append(new HostFailed(set, rollout.id(), id, "unhealthy",
                                            id), null, then));
                                }
                            });
                        }))));
    }

    private void goBack(Rollout rollout, Runnable then) {
        String set = Simulation.SET;
        if (!rollout.artifact().equals(running)) {
            append(new HostHealthy(set, rollout.id(), id), null, then);
            return;
        }
        returnFrom(rollout, () -> append(sim.sick(id, running) ? new HostFailed(set, rollout.id(), id, "unhealthy", id)
                : new HostHealthy(set, rollout.id(), id), null, then));
    }

    /** Drains the rollout's version, appends the switch back, switches to the version before, starts it. */
    private void returnFrom(Rollout rollout, Runnable then) {
        String previous = previous();
        outOfService = true;
        later(sim.drainTime(), () -> append(new HostDrained(Simulation.SET, rollout.id(), id, true), null,
                () -> append(new HostSwitched(Simulation.SET, rollout.id(), id, running, previous,
                        generations.size() + 1), null, () -> {
                            switchTo(previous);
                            later(sim.healthTime(), () -> {
                                outOfService = false;
                                then.run();
                            });
                        })));
    }

    private void switchTo(String artifact) {
        running = artifact;
        generations.add(artifact);
    }

    private String previous() {
        for (int i = generations.size() - 1; i >= 0; i--) {
            if (!generations.get(i).equals(running)) {
                return generations.get(i);
            }
        }
        return running;
    }

    /** What this host would do now and why, for a violation's message. */
    String explain() {
        return (busy ? "busy; " : "") + "running " + running + ", installed " + installed + ", prepared " + prepared
                + ", refused " + refused + ", retry " + retryAt + ", next " + Decisions.next(fold, view());
    }

    boolean busy() {
        return busy;
    }
}
