package dev.slipway.agent.rollout.sim;

import dev.slipway.agent.rollout.Checkpointer;
import dev.slipway.agent.rollout.Decisions;
import dev.slipway.agent.rollout.FoldState;
import dev.slipway.agent.rollout.HostView;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.agent.rollout.SetFold;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.rollout.GateApproved;
import dev.slipway.events.rollout.GateReached;
import dev.slipway.events.rollout.WindowOpened;
import dev.slipway.events.rollout.WindowOverridden;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.HoldReleased;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.SetCheckpointed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A deterministic simulation of one deployment set: simulated hosts running the real decision code
 * ({@link Decisions}, {@link SetFold}) against one simulated log with the broker's time, a clock per host,
 * and faults drawn from a seed: agents crashing and restarting at any stage, slow fetches, duplicated and
 * delayed appends, skewed clocks, hosts joining late and being removed, the store down, versions failing
 * their health check after the switch, operators pausing, resuming, rolling back and superseding. After
 * every simulated event it checks the safety invariants; at its end, liveness. A violation throws
 * {@link Violation} naming the seed, and the same seed replays the same run exactly.
 */
public final class Simulation {

    static final String SET = "sim";

    /** Records between checkpoints: few, so that restarts often start from one. */
    static final int CHECKPOINT_EVERY = 8;
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    /** One record of the simulated log and its broker time. */
    record Entry(Event<?> event, Instant time) {
    }

    /** A safety or liveness invariant broken, with the seed that replays it. */
    public static final class Violation extends AssertionError {
        Violation(long seed, String what, List<Supplier<String>> story) {
            super("seed " + seed + ": " + what + "\n  last events:\n    " + String.join("\n    ",
                    story.subList(Math.max(0, story.size() - 30), story.size()).stream().map(Supplier::get)
                            .map(line -> line.length() > 260 ? line.substring(0, 260) + "…" : line).toList()));
        }
    }

    private record Scheduled(Instant at, long order, Runnable action) {
    }

    private final long seed;
    private final SplittableRandom random;
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>((a, b) -> a.at.equals(b.at)
            ? Long.compare(a.order, b.order) : a.at.compareTo(b.at));
    private long order;
    private Instant time = T0;
    private final List<Entry> log = new ArrayList<>();
    /** The oracle's state after each record, to compare every host's fold with. */
    private final List<FoldState> states = new ArrayList<>();
    /** What happened, told only when a run fails. */
    private final List<Supplier<String>> story = new ArrayList<>();
    private int crashes;
    /** Agent starts that began from a checkpoint rather than the log's first record. */
    int startsFromCheckpoint;
    private final SetFold oracle = new SetFold(SET);
    private final List<SimHost> hosts = new ArrayList<>();
    private final List<HostView.Deployable> deployables = new ArrayList<>();
    private final Set<String> badArtifacts = new HashSet<>();
    private final Map<String, Set<String>> refusing = new HashMap<>();
    private final Map<String, String> sickAfterSwitch = new HashMap<>();
    private final Set<String> completedOnce = new HashSet<>();
    private final Set<String> rollbacksRequested = new HashSet<>();
    private final Set<String> removed = new HashSet<>();
    /** Hosts whose agent never comes back, and that nobody removes: the rollout must end without them. */
    private final Set<String> deadForGood = new HashSet<>();
    /** host@rollout of every slot that expired: such a host may still be acting, too slow to have noticed. */
    private final Set<String> expiredSlots = new HashSet<>();
    private final RolloutPolicy policy;
    /** False for a measured scenario: no version is bad. */
    private final boolean faulty;
    private final Instant faultsEnd;
    private Instant storeDownUntil = T0;
    private int versions;

    public Simulation(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        int maxUnavailable = 1 + random.nextInt(3);
        Duration slot = Duration.ofSeconds(10 + random.nextInt(20));
        this.policy = new RolloutPolicy(maxUnavailable, random.nextInt(3), slot, Duration.ofSeconds(1),
                Duration.ofSeconds(10 + random.nextInt(30)),
                random.nextInt(4) == 0 ? Duration.ofSeconds(5 + random.nextInt(30)) : null, windows(random),
                random.nextBoolean());
        this.faultsEnd = T0.plusSeconds(60 + random.nextInt(120));
        this.faulty = true;
    }

    /**
     * One run in four has deployment windows, closed for a few seconds to a minute inside the faults' period (so
     * the liveness bound, counted from its end, still holds): T0 is midnight, UTC.
     */
    private static List<String> windows(SplittableRandom random) {
        if (random.nextInt(4) > 0) {
            return null;
        }
        int closes = 3 + random.nextInt(25);
        int opens = closes + 5 + random.nextInt(25);
        return List.of(String.format("* 00:00-00:00:%02d UTC", closes), String.format("* 00:00:%02d-24:00 UTC", opens));
    }

    private Simulation(long seed, RolloutPolicy policy) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.policy = policy;
        this.faultsEnd = T0;
        this.faulty = false;
    }

    /**
     * A set of {@code count} hosts whose only canary is dead from the start and a good version, with no other
     * fault: how long, in simulated time, from {@code RolloutStarted} to the end on the log.
     */
    public static Duration pastADeadCanary(long seed, int count, RolloutPolicy policy) {
        Simulation sim = new Simulation(seed, policy);
        for (int i = 0; i < count; i++) {
            SimHost host = new SimHost(sim, "host-" + i, i == 0, "sha256:" + hex(0));
            sim.hosts.add(host);
            if (i > 0) {
                sim.after(Duration.ofMillis(sim.random.nextInt(2000)), host::start);
            } else {
                sim.deadForGood.add(host.id);
            }
        }
        // The canary was a member before it died.
        sim.operator(new HostJoined(SET, "host-0", true, "dead"));
        sim.at(T0.plusSeconds(3), sim::deploy);
        Instant end = T0.plus(sim.livenessBound());
        while (!sim.queue.isEmpty() && !sim.queue.peek().at.isAfter(end)
                && (sim.deployables.isEmpty() || !sim.settled())) {
            Scheduled next = sim.queue.poll();
            sim.time = next.at;
            next.action.run();
            sim.checkSafety();
        }
        sim.checkLiveness();
        Rollout r = sim.oracle.rollout();
        if (r.status() != Rollout.Status.COMPLETED || !r.lost().contains("host-0")) {
            throw sim.violation("expected a completed rollout past the lost canary: " + r.status() + " " + r.reason());
        }
        Instant announced = sim.log.stream().filter(e -> e.event().data() instanceof RolloutCompleted)
                .map(Entry::time).findFirst().orElseThrow();
        return Duration.between(r.startedAt(), announced);
    }

    /** Runs one schedule; returns how many simulated events it took. */
    public int run() {
        int count = 3 + random.nextInt(10);
        int canaries = random.nextInt(3);
        for (int i = 0; i < count; i++) {
            SimHost host = new SimHost(this, "host-" + i, i < canaries, "sha256:" + hex(0));
            hosts.add(host);
            if (random.nextInt(6) == 0) {
                host.skew = Duration.ofMillis((random.nextBoolean() ? 1 : -1)
                        * random.nextLong(2 * policy.slotDeadline().toMillis()));
            }
            after(Duration.ofMillis(random.nextInt(2000)), host::start);
        }
        at(T0.plusSeconds(3), this::deploy);
        scheduleFaults();
        Instant end = faultsEnd.plus(livenessBound());
        int steps = 0;
        while (!queue.isEmpty() && !queue.peek().at.isAfter(end)) {
            Scheduled next = queue.poll();
            time = next.at;
            next.action.run();
            steps++;
            checkSafety();
            if (time.isAfter(faultsEnd) && steps % 64 == 0 && settled()) {
                break;
            }
        }
        checkLiveness();
        STATS.record(this);
        return steps;
    }

    /** From the moment faults stop: long enough for every member to be judged and every slot to pass. */
    Duration livenessBound() {
        int rounds = hosts.size() + 3;
        Duration skew = Duration.ofMillis(2 * policy.slotDeadline().toMillis());
        return policy.progressDeadline().plus(policy.slotDeadline().multipliedBy(rounds))
                .plus(Decisions.ANNOUNCE_STAGGER.multipliedBy(hosts.size() + 1)).plus(skew).plusSeconds(60);
    }

    private void scheduleFaults() {
        long window = Duration.between(T0, faultsEnd).toMillis();
        int faults = random.nextInt(12);
        for (int i = 0; i < faults; i++) {
            Instant at = T0.plusMillis(2000 + random.nextLong(window - 2000));
            int kind = random.nextInt(11);
            at(at, () -> fault(kind));
        }
        if (random.nextInt(3) > 0) {
            at(T0.plusMillis(4000 + random.nextLong(window)), this::deploy);
        }
        if (!policy.windows().isEmpty() && random.nextInt(3) == 0) {
            // An operator with a hotfix does not wait for the window.
            at(T0.plusMillis(3000 + random.nextInt(50_000)), () -> {
                Rollout r = oracle.rollout();
                if (r != null && r.status().underway() && r.outsideWindows(time)) {
                    operator(new WindowOverridden(SET, r.id(), "operator", "hotfix"));
                }
            });
        }
        at(faultsEnd, () -> {
            tell(time + " faults stop");
            storeDownUntil = time;
            if (!refusing.isEmpty() && random.nextBoolean()) {
                // The operator fixed what the refusing hosts lacked (a trusted key, say) and promotes again.
                refusing.clear();
                promoteAgain();
            }
            for (SimHost host : hosts) {
                if (!host.alive && !removed.contains(host.id) && !deadForGood.contains(host.id)) {
                    host.start();
                }
            }
        });
        // An operator's last pause may still be on its way when faults stop: resume once it has landed.
        at(faultsEnd.plusSeconds(5), () -> {
            if (oracle.hold() != null) {
                operator(new RolloutResumed(SET, oracle.rollout().id(), "operator"));
            }
        });
    }

    private void fault(int kind) {
        SimHost host = hosts.get(random.nextInt(hosts.size()));
        switch (kind) {
            case 0, 1 -> {
                if (host.alive) {
                    tell(time + " crash " + host.id + (host.busy() ? " (busy)" : ""));
                    crashes++;
                    host.crash();
                    if (random.nextInt(4) == 0 && deadForGood.size() < hosts.size() / 3) {
                        deadForGood.add(host.id);
                        tell(time + " " + host.id + " is dead for good");
                    } else if (random.nextInt(4) > 0) {
                        after(Duration.ofMillis(random.nextInt(20_000)), () -> {
                            if (!host.alive && !removed.contains(host.id) && !deadForGood.contains(host.id)) {
                                tell(time + " restart " + host.id);
                                host.start();
                            }
                        });
                    }
                }
            }
            case 2 -> deploy();
            case 3 -> {
                storeDownUntil = time.plusSeconds(1 + random.nextInt(20));
                tell(time + " store down until " + storeDownUntil);
            }
            case 4 -> {
                if (oracle.rollout() != null) {
                    operator(oracle.hold() != null
                            ? new RolloutResumed(SET, oracle.rollout().id(), "operator")
                            : new RolloutPaused(SET, oracle.rollout().id(), "operator", "looking"));
                }
            }
            case 5 -> {
                if (oracle.rollout() != null) {
                    rollbacksRequested.add(oracle.rollout().id());
                    operator(new RollbackRequested(SET, oracle.rollout().id(), "operator", "by hand"));
                }
            }
            case 6 -> {
                if (oracle.members().containsKey(host.id) && removed.size() < hosts.size() / 2) {
                    removed.add(host.id);
                    host.crash();
                    operator(new HostLeft(SET, host.id));
                }
            }
            case 7 -> {
                SimHost late = new SimHost(this, "late-" + hosts.size(), false, "sha256:" + hex(0));
                hosts.add(late);
                tell(time + " joins " + late.id);
                late.start();
            }
            case 9 -> {
                // A service around the set holds it (a migration, a load balancer) and lets go, or forgets to.
                String name = random.nextBoolean() ? "migration" : "load-balancer";
                if (oracle.holds().containsKey(name) && random.nextBoolean()) {
                    operator(new HoldReleased(SET, name, "service"));
                } else {
                    operator(new HoldPlaced(SET, name, Duration.ofSeconds(1 + random.nextInt(20)),
                            random.nextBoolean() ? HoldPlaced.RELEASE : HoldPlaced.FAIL, "service", "busy"));
                }
            }
            case 8 -> {
                String artifact = latestArtifact();
                if (artifact != null) {
                    sickAfterSwitch.put(host.id, artifact);
                }
            }
            default -> {
                String artifact = latestArtifact();
                if (artifact != null) {
                    refusing.computeIfAbsent(host.id, h -> new HashSet<>()).add(artifact);
                }
            }
        }
    }

    private String latestArtifact() {
        return deployables.isEmpty() ? null : deployables.get(deployables.size() - 1).artifact();
    }

    private void deploy() {
        versions++;
        String artifact = "sha256:" + hex(versions);
        if (faulty && random.nextInt(4) == 0) {
            badArtifacts.add(artifact);
        }
        deployables.add(new HostView.Deployable(new UUID(random.nextLong(), random.nextLong()).toString(),
                deployables.size(), "staging", "sha256:" + hex(1000 + versions), artifact, time));
        tell(time + " deployable " + artifact.substring(0, 16) + (badArtifacts.contains(artifact) ? " (bad)" : ""));
    }

    /** A new deployable of the latest artifact: a new rollout of a version some hosts refused before. */
    private void promoteAgain() {
        HostView.Deployable last = deployables.get(deployables.size() - 1);
        deployables.add(new HostView.Deployable(new UUID(random.nextLong(), random.nextLong()).toString(),
                deployables.size(), last.channel(), last.recipe(), last.artifact(), time));
        tell(time + " promoted again " + last.artifact().substring(0, 16));
    }

    private void operator(SlipwayEvent data) {
        append(new Event<>(new UUID(random.nextLong(), random.nextLong()).toString(), "/operator", time, data), () -> true,
                () -> {
                });
    }

    /** Appends after a network delay; sometimes twice (a producer's retry). Then runs {@code landed}. */
    void append(Event<?> event, java.util.function.BooleanSupplier deliverable, Runnable landed) {
        Duration delay = Duration.ofMillis(random.nextInt(10) == 0 ? random.nextInt(3000) : random.nextInt(50));
        after(delay, () -> {
            if (!deliverable.getAsBoolean()) {
                return;
            }
            land(event);
            if (random.nextInt(20) == 0) {
                land(event);
            }
            landed.run();
        });
    }

    private void land(Event<?> event) {
        Map<String, SetFold.Slot> slotsBefore = new HashMap<>(oracle.slots());
        Set<String> failedBefore = oracle.rollout() == null ? Set.of() : Set.copyOf(oracle.rollout().failed());
        String before = oracle.rollout() == null ? null : oracle.rollout().id();
        log.add(new Entry(event, time));
        if (event.data() instanceof GateApproved approval) {
            approvedBatches.computeIfAbsent(approval.rolloutId(), id -> new HashSet<>()).add(approval.batch());
        }
        oracle.apply(event, time, log.size() - 1);
        states.add(oracle.state());
        if (oracle.hold() != null || !oracle.holds().isEmpty()) {
            oracle.slots().forEach((host, slot) -> {
                if (!slotsBefore.containsKey(host) && !slot.back() && slot.rollout().status() != Rollout.Status.COMPLETED) {
                    throw violation(host + " was granted a slot forward while the set is held (" + oracle.hold() + ", "
                            + oracle.holds() + ")");
                }
            });
        }
        if (event.data() instanceof SetCheckpointed checkpoint
                && !Checkpointer.restore(checkpoint, SET).state().equals(states.get((int) checkpoint.offset()))) {
            throw violation("a checkpoint of offset " + checkpoint.offset() + " by " + event.source()
                    + " is not the log's fold there:\n  " + Checkpointer.restore(checkpoint, SET).summary() + "\n  "
                    + states.get((int) checkpoint.offset()));
        }
        Instant landed = time;
        story.add(() -> landed + " " + event.source() + " " + event.data().toString()
                .replaceAll("sha256:0{48,}([0-9a-f]+)", "v$1").replaceAll("deploymentSet=sim, ", ""));
        slotsBefore.forEach((host, slot) -> {
            if (slot.rollout().expired().containsKey(host)) {
                expiredSlots.add(host + "@" + slot.rollout().id());
            }
        });
        if (event.data() instanceof GateReached gate && random.nextInt(3) > 0) {
            // An operator looks at the canary and approves, in time or not.
            after(Duration.ofMillis(random.nextInt(40_000)),
                    () -> operator(new GateApproved(SET, gate.rolloutId(), "operator", "looks good", gate.batch())));
        }
        Rollout r = oracle.rollout();
        if (r != null && r.status().underway() && r.outsideWindows(time)) {
            oracle.slots().forEach((host, slot) -> {
                if (!slotsBefore.containsKey(host) && !slot.back() && slot.rollout() == r) {
                    throw violation(host + " was granted a slot forward at " + time + ", outside rollout " + r.id()
                            + "'s deployment windows " + r.policy().windows());
                }
            });
        }
        if (r != null && r.policy().approvalWithin() != null && r.policy().approveEachBatch()) {
            checkBatches(r, slotsBefore);
        }
        if (r != null && r.atGate()) {
            oracle.slots().forEach((host, slot) -> {
                if (!slotsBefore.containsKey(host) && !slot.back() && slot.rollout() == r
                        && !oracle.members().getOrDefault(host, false) && !r.standIns().contains(host)) {
                    throw violation(host + " was granted a slot forward while rollout " + r.id() + " waits at its gate");
                }
            });
        }
        if (r != null && r.id().equals(before)) {
            for (String host : r.failed()) {
                SetFold.Slot slot = slotsBefore.get(host);
                boolean selfReported = event.data() instanceof HostFailed f && f.hostId().equals(host)
                        && f.hostId().equals(f.reportedBy());
                if (!failedBefore.contains(host) && slot != null && !selfReported
                        && !time.isAfter(slot.grantedAt().plus(slot.rollout().policy().slotDeadline()))) {
                    throw violation(host + " was failed by a peer at " + time + " before its slot deadline "
                            + slot.grantedAt().plus(slot.rollout().policy().slotDeadline()));
                }
            }
        }
    }

    /** Hosts after the canaries let forward under each rollout, counted from the log, not from the fold. */
    private final Map<String, Set<String>> batchedForward = new HashMap<>();
    /** The batches approved on the log, by rollout. */
    private final Map<String, Set<Integer>> approvedBatches = new HashMap<>();

    /** With a gate per batch, each approval on the log lets at most maxUnavailable hosts after the canaries go. */
    private void checkBatches(Rollout r, Map<String, SetFold.Slot> slotsBefore) {
        if (r.status() != Rollout.Status.RUNNING) {
            return;
        }
        Set<String> forward = batchedForward.computeIfAbsent(r.id(), id -> new HashSet<>());
        oracle.slots().forEach((host, slot) -> {
            if (!slotsBefore.containsKey(host) && !slot.back() && slot.rollout() == r
                    && !oracle.members().getOrDefault(host, false) && !r.standIns().contains(host)) {
                forward.add(host);
            }
        });
        long approvals = approvedBatches.getOrDefault(r.id(), Set.of()).size();
        if (forward.size() > approvals * r.policy().maxUnavailable()) {
            throw violation(forward.size() + " hosts after the canaries went forward in rollout " + r.id() + " on "
                    + approvals + " approval(s) of batches of " + r.policy().maxUnavailable() + ": " + forward);
        }
    }

    private void checkSafety() {
        int limit = policy.maxUnavailable();
        if (oracle.slots().size() > limit) {
            throw violation(oracle.slots().size() + " slots held, more than maxUnavailable " + limit + ": "
                    + oracle.slots().keySet());
        }
        for (String holder : oracle.slots().keySet()) {
            if (!oracle.members().containsKey(holder)) {
                throw violation(holder + " holds a slot but is no member of the set");
            }
        }
        int acting = 0;
        for (SimHost host : hosts) {
            if (!host.alive || !host.outOfService) {
                continue;
            }
            SetFold.Slot slot = oracle.slots().get(host.id);
            if (slot != null) {
                acting++;
            } else if (!removed.contains(host.id) && expiredSlots.stream().noneMatch(e -> e.startsWith(host.id + "@"))) {
                throw violation(host.id + " is out of service without holding a slot");
            }
        }
        if (acting > limit) {
            throw violation(acting + " hosts out of service in slots, more than " + limit);
        }
        for (String id : completedOnce) {
            if (oracle.rollout() != null && oracle.rollout().id().equals(id)
                    && oracle.rollout().status() != Rollout.Status.COMPLETED && !rollbacksRequested.contains(id)) {
                throw violation("rollout " + id + " completed and then became " + oracle.rollout().status() + ": "
                        + oracle.rollout().reason());
            }
        }
        if (oracle.rollout() != null && oracle.rollout().status() == Rollout.Status.COMPLETED) {
            completedOnce.add(oracle.rollout().id());
        }
    }

    /** Whether the liveness check would pass now: then the run can stop early. */
    private boolean settled() {
        return livenessProblem() == null;
    }

    private void checkLiveness() {
        String problem = livenessProblem();
        if (problem != null) {
            throw violation(problem);
        }
    }

    /** What the schedules covered, summed over every run of this JVM. */
    public static final class Stats {
        long runs;
        long completed;
        long aborted;
        long lost;
        long standIns;
        long expired;
        long crashes;
        long removals;
        long checkpoints;
        long startsFromCheckpoint;
        long holdsPlaced;
        long gatesReached;
        long gatesApproved;
        long abortedByHoldOrGate;
        long windowed;
        long windowsOpened;
        long windowsOverridden;

        synchronized void record(Simulation sim) {
            runs++;
            Rollout r = sim.oracle.rollout();
            if (r != null) {
                completed += r.status() == Rollout.Status.COMPLETED ? 1 : 0;
                aborted += r.status() == Rollout.Status.ABORTED ? 1 : 0;
                lost += r.lost().size();
                standIns += r.standIns().size();
                expired += r.expired().size();
            }
            crashes += sim.crashes;
            removals += sim.removed.size();
            checkpoints += sim.log.stream().filter(e -> e.event().data() instanceof SetCheckpointed).count();
            startsFromCheckpoint += sim.startsFromCheckpoint;
            holdsPlaced += sim.log.stream().filter(e -> e.event().data() instanceof HoldPlaced).count();
            gatesReached += sim.log.stream().map(e -> e.event().data()).filter(GateReached.class::isInstance)
                    .map(gate -> ((GateReached) gate).rolloutId()).distinct().count();
            gatesApproved += sim.log.stream().map(e -> e.event().data()).filter(GateApproved.class::isInstance)
                    .map(gate -> ((GateApproved) gate).rolloutId()).distinct().count();
            windowed += sim.policy.windows().isEmpty() ? 0 : 1;
            windowsOpened += sim.log.stream().map(e -> e.event().data()).filter(WindowOpened.class::isInstance)
                    .map(opened -> ((WindowOpened) opened).rolloutId()).distinct().count();
            windowsOverridden += sim.log.stream().filter(e -> e.event().data() instanceof WindowOverridden).count();
            abortedByHoldOrGate += r != null && r.status() == Rollout.Status.ABORTED && r.reason() != null
                    && (r.reason().startsWith("hold ") || r.reason().startsWith("not approved")) ? 1 : 0;
        }

        @Override
        public synchronized String toString() {
            return runs + " runs: latest rollout completed " + completed + ", aborted " + aborted + "; members lost "
                    + lost + ", canary stand-ins " + standIns + ", slots expired " + expired + ", agent crashes "
                    + crashes + ", hosts removed " + removals + ", checkpoints " + checkpoints
                    + ", agent starts from a checkpoint " + startsFromCheckpoint + ", holds placed " + holdsPlaced
                    + ", gated rollouts " + gatesReached + " (approved " + gatesApproved + "), latest rollout aborted by "
                    + "a hold or a gate " + abortedByHoldOrGate + ", runs with deployment windows " + windowed
                    + " (rollouts a window opened for " + windowsOpened + ", overridden " + windowsOverridden + ")";
        }
    }

    public static final Stats STATS = new Stats();

    /** What keeps the run from having ended well; null when every liveness condition holds. */
    private String livenessProblem() {
        Rollout r = oracle.rollout();
        if (deployables.isEmpty()) {
            return null;
        }
        if (r == null) {
            return "no rollout started for " + deployables.size() + " deployable(s)";
        }
        String latest = Decisions.rolloutIdOf(deployables.get(deployables.size() - 1).eventId());
        if (!r.id().equals(latest)) {
            return "the latest deployable's rollout never started; the set's rollout is " + r.id();
        }
        if (!r.status().ended() || !r.announced()) {
            return "rollout " + r.id() + " did not end within " + livenessBound() + " after faults stopped: "
                    + r.status() + (r.announced() ? "" : ", not announced") + "; slots " + oracle.slots().keySet()
                    + ", claims " + r.claims() + ", healthy " + r.healthy() + ", failed " + r.failed() + ", lost "
                    + r.lost();
        }
        if (!oracle.slots().isEmpty()) {
            return "slots still held at the end: " + oracle.slots().keySet();
        }
        for (SimHost host : hosts) {
            if (!host.alive || !oracle.members().containsKey(host.id)) {
                continue;
            }
            if (r.status() == Rollout.Status.COMPLETED && r.healthy().contains(host.id)
                    && !r.artifact().equals(host.running)) {
                return host.id + " is healthy in the completed rollout but runs " + host.running;
            }
            if (r.status() == Rollout.Status.COMPLETED && !r.done(host.id)) {
                return host.id + " is alive but never took the completed rollout " + r.id() + ": " + host.explain();
            }
            if ((r.status() == Rollout.Status.ABORTED || r.failed().contains(host.id))
                    && r.artifact().equals(host.running) && r.switched().contains(host.id)) {
                return host.id + " switched to " + r.artifact() + " in rollout " + r.status()
                        + " and was not rolled back";
            }
        }
        return null;
    }

    /** Every host's fold equals the oracle's at the same position: the agents agree. */
    void checkSameFold(SimHost host, int position) {
        if (position > 0 && position != host.lastChecked && !states.get(position - 1).equals(host.fold.state())) {
            throw violation(host.id + "'s fold differs from the log's at position " + position + ":\n  "
                    + host.fold.summary() + "\n  " + states.get(position - 1));
        }
        host.lastChecked = position;
    }

    private void tell(String line) {
        story.add(() -> line);
    }

    private Violation violation(String what) {
        return new Violation(seed, what, story);
    }

    void after(Duration delay, Runnable action) {
        at(time.plus(delay), action);
    }

    private void at(Instant when, Runnable action) {
        queue.add(new Scheduled(when, order++, action));
    }

    Instant time() {
        return time;
    }

    SplittableRandom random() {
        return random;
    }

    List<Entry> log() {
        return log;
    }

    HostView.Deployable latestDeployable() {
        return deployables.isEmpty() ? null : deployables.get(deployables.size() - 1);
    }

    RolloutPolicy policy() {
        return policy;
    }

    boolean storeDown() {
        return time.isBefore(storeDownUntil);
    }

    boolean refuses(String host, String artifact) {
        return refusing.getOrDefault(host, Set.of()).contains(artifact);
    }

    boolean sick(String host, String artifact) {
        return badArtifacts.contains(artifact) || artifact.equals(sickAfterSwitch.get(host));
    }

    Duration fetchTime() {
        return Duration.ofMillis(random.nextInt(8) == 0 ? 5000 + random.nextInt(60_000) : 50 + random.nextInt(2000));
    }

    Duration drainTime() {
        return Duration.ofMillis(100 + random.nextInt(1000));
    }

    Duration healthTime() {
        return Duration.ofMillis(200 + random.nextInt(2000));
    }

    private static String hex(int n) {
        return String.format("%064x", n);
    }
}
