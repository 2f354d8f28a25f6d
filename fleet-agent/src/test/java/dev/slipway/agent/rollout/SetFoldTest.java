package dev.slipway.agent.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.rollout.GateApproved;
import dev.slipway.events.rollout.GateOverdue;
import dev.slipway.events.rollout.HoldOverdue;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.HoldReleased;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.rollout.PrerequisiteMet;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.rollout.WindowOpened;
import dev.slipway.events.rollout.WindowOverridden;
import dev.slipway.events.wire.EventJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The fold, over generated event orders: hosts that claim, switch, succeed or fail in random interleavings. */
class SetFoldTest {

    static final String SET = "payments-api";
    static final Instant T0 = Instant.parse("2026-11-24T12:00:00Z");
    static final String OLD = "sha256:" + "0".repeat(64);
    static final String NEW = "sha256:" + "2".repeat(64);

    /** One record of a generated log: an event at a log time. */
    record Entry(Event<?> event, Instant time) {
    }

    @Test
    void neverMoreThanMaxUnavailableAndCanariesFirstOverManyGeneratedOrders() {
        for (int seed = 0; seed < 500; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            int hosts = 2 + random.nextInt(12);
            int canaries = random.nextInt(Math.min(3, hosts));
            RolloutPolicy policy = new RolloutPolicy(1 + random.nextInt(4), random.nextInt(3), Duration.ofMinutes(5),
                    Duration.ofSeconds(30));
            List<Entry> log = simulate(random, hosts, canaries, policy, 0.15);

            SetFold fold = new SetFold(SET);
            for (int i = 0; i < log.size(); i++) {
                fold.apply(log.get(i).event(), log.get(i).time(), i);
                Rollout rollout = fold.rollout();
                if (rollout == null) {
                    continue;
                }
                String context = "seed " + seed + " after record " + i;
                assertTrue(rollout.holding().size() <= policy.maxUnavailable(), context);
                boolean canariesDone = fold.members().entrySet().stream().filter(e -> e.getValue())
                        .allMatch(e -> rollout.done(e.getKey()));
                if (!canariesDone) {
                    assertTrue(rollout.holding().keySet().stream().allMatch(h -> fold.members().get(h)),
                            context + ": a non-canary holds a slot before every canary is done");
                }
            }
            Rollout end = fold.rollout();
            if (end.failed().size() > policy.failureTolerance() || end.healthy().isEmpty()) {
                assertEquals(Rollout.Status.ABORTED, end.status(), "seed " + seed);
            } else {
                assertEquals(Rollout.Status.COMPLETED, end.status(), "seed " + seed + " " + end.reason());
                assertTrue(fold.members().keySet().stream().allMatch(end::done), "seed " + seed);
            }
        }
    }

    @Test
    void duplicatesAndReorderedRetriesFoldToTheSameState() {
        for (int seed = 0; seed < 300; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            RolloutPolicy policy = new RolloutPolicy(2, 1, Duration.ofMinutes(5), Duration.ofSeconds(30));
            List<Entry> log = simulate(random, 2 + random.nextInt(8), 1, policy, 0.1);
            List<Entry> noisy = new ArrayList<>();
            for (Entry entry : log) {
                noisy.add(entry);
                if (random.nextDouble() < 0.3) {
                    noisy.add(entry);
                }
                if (random.nextDouble() < 0.2) {
                    // A retry of the same fact under a new id, as an agent that timed out on its send would write.
                    noisy.add(new Entry(new Event<>(UUID.randomUUID().toString(), "/retry", entry.time(),
                            entry.event().data()), entry.time()));
                }
            }

            assertEquals(summary(fold(log)), summary(fold(noisy)), "seed " + seed);
        }
    }

    @Test
    void aFoldStartedFromACheckpointEqualsAFoldOfTheWholeLog() throws Exception {
        for (int seed = 0; seed < 200; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            RolloutPolicy policy = new RolloutPolicy(1 + random.nextInt(3), random.nextInt(2), Duration.ofMinutes(5),
                    Duration.ofSeconds(30));
            List<Entry> log = simulate(random, 2 + random.nextInt(8), random.nextInt(2), policy, 0.2);
            String whole = fold(log).summary();
            int cut = random.nextInt(log.size());
            SetFold prefix = fold(log.subList(0, cut + 1));
            SetCheckpointed written = new Checkpointer(1, 0).due(prefix, "host-0", log.get(cut).time(), cut + 1)
                    .orElseThrow();
            SetFold resumed = Checkpointer.restore(EventJson.mapper().readValue(
                    EventJson.mapper().writeValueAsString(written), SetCheckpointed.class), SET);
            assertEquals(prefix.summary(), resumed.summary(), "seed " + seed + ": the checkpoint is the fold");
            for (int i = cut + 1; i < log.size(); i++) {
                resumed.apply(log.get(i).event(), log.get(i).time(), i);
            }
            assertEquals(whole, resumed.summary(), "seed " + seed + " cut after record " + cut);
        }
    }

    @Test
    void aFoldOfManyRolloutsKeepsOnlyWhatItCanStillUse() {
        SetFold fold = new SetFold(SET);
        Instant at = T0;
        for (int i = 0; i < 3; i++) {
            apply(fold, at, new HostJoined(SET, "host-" + i, i == 0, "run-" + i));
        }
        RolloutPolicy policy = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(30));
        for (int r = 0; r < 200; r++) {
            at = at.plus(Duration.ofMinutes(2));
            String id = "r" + r;
            String artifact = "sha256:" + String.format("%064x", r + 1);
            apply(fold, at, new RolloutStarted(SET, id, "staging", "sha256:" + "1".repeat(64), artifact, policy,
                    (long) r));
            for (int i = 0; i < 3; i++) {
                apply(fold, at, new HostClaimed(SET, id, "host-" + i), new HostSwitched(SET, id, "host-" + i, null,
                        artifact, r + 2), new HostHealthy(SET, id, "host-" + i));
            }
            apply(fold, at, new HostJoined(SET, "host-0", true, "run-0-" + r));
        }

        FoldState state = fold.state();
        assertEquals(Rollout.Status.COMPLETED, fold.rollout().status());
        assertTrue(state.rollouts().size() <= 2, "rollouts kept: " + state.rollouts().size());
        assertTrue(state.seen().size() <= 6 * 11, "ids kept: " + state.seen().size());
        assertEquals(3, state.members().size());
        assertTrue(fold.retired("run-0-198") && !fold.retired("run-0-199"), "the replaced run is still known");
    }

    @Test
    void aCanaryFailureBeyondToleranceAbortsBeforeAnyOtherHostHoldsASlot() {
        RolloutPolicy policy = new RolloutPolicy(3, 0, Duration.ofMinutes(5), Duration.ofSeconds(30));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "canary", true), new HostJoined(SET, "a", false),
                new HostJoined(SET, "b", false), started("r1", policy),
                new HostClaimed(SET, "r1", "a"), new HostClaimed(SET, "b" , "b"), new HostClaimed(SET, "r1", "b"),
                new HostClaimed(SET, "r1", "canary"));

        assertEquals(List.of("canary"), List.copyOf(fold.rollout().holding().keySet()));
        apply(fold, T0.plusSeconds(5), new HostSwitched(SET, "r1", "canary", OLD, NEW, 2),
                new HostFailed(SET, "r1", "canary", "health check: 503", "canary"));

        assertEquals(Rollout.Status.ABORTED, fold.rollout().status());
        assertTrue(fold.rollout().reason().contains("canary: health check: 503"), fold.rollout().reason());
        assertEquals(List.of(), List.copyOf(fold.rollout().holding().keySet()));
        assertEquals(List.of("canary"), List.copyOf(fold.rollout().switched()));
    }

    @Test
    void aSlotHeldPastItsDeadlineCountsAsFailedByTheLogsOwnClock() {
        RolloutPolicy policy = new RolloutPolicy(1, 1, Duration.ofSeconds(30), Duration.ofSeconds(5));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), new HostJoined(SET, "b", false), started("r1", policy),
                new HostClaimed(SET, "r1", "a"), new HostClaimed(SET, "r1", "b"));
        assertTrue(fold.rollout().holds("a"));

        apply(fold, T0.plusSeconds(29), new HostJoined(SET, "c", false));
        assertTrue(fold.rollout().holds("a"), "not yet past the deadline");
        apply(fold, T0.plusSeconds(31), new HostFailed(SET, "r1", "a", "silent past its deadline", "b"));

        assertTrue(fold.rollout().failed().contains("a"));
        assertTrue(fold.rollout().holds("b"), "the freed slot goes to the next claim");
        assertEquals(Rollout.Status.RUNNING, fold.rollout().status());
    }

    @Test
    void aPauseHoldsTheSetUntilResumedAndARolloutStartedMeanwhileHoldsToo() {
        RolloutPolicy policy = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), new HostJoined(SET, "b", false), started("r1", policy),
                new RolloutPaused(SET, "r1", "alice", "freeze"), new HostClaimed(SET, "r1", "a"));
        assertEquals(Rollout.Status.PAUSED, fold.rollout().status());
        assertEquals("freeze", fold.rollout().reason());
        assertEquals(new SetFold.Hold("alice", "freeze", T0), fold.hold());
        assertTrue(fold.rollout().holding().isEmpty());

        apply(fold, T0, started("r2", policy), new HostClaimed(SET, "r2", "a"));
        assertEquals("r2", fold.rollout().id());
        assertEquals(Rollout.Status.PAUSED, fold.rollout().status(), "a new version does not slip through a pause");
        assertTrue(fold.rollout().holding().isEmpty());

        apply(fold, T0.plusSeconds(1), new RolloutResumed(SET, "r1", "alice"), new HostClaimed(SET, "r2", "a"));
        assertNull(fold.hold());
        assertEquals(Rollout.Status.RUNNING, fold.rollout().status());
        assertTrue(fold.rollout().holds("a"), "a resume releases the set, whichever rollout it named");
    }

    @Test
    void aPauseNamingAnOlderRolloutHoldsTheOneInProgress() {
        RolloutPolicy policy = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), started("r1", policy), new HostClaimed(SET, "r1", "a"),
                new HostHealthy(SET, "r1", "a"), new HostJoined(SET, "b", false), started("r2", policy),
                new RolloutPaused(SET, "r1", "bob", "what the console showed"), new HostClaimed(SET, "r2", "b"));

        assertEquals(Rollout.Status.PAUSED, fold.rollout().status());
        assertTrue(fold.rollout().holding().isEmpty());
    }

    @Test
    void aStateOfTheFormatBeforeHoldsRestoresAPausedRolloutAsAHold() {
        RolloutPolicy policy = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), started("r1", policy),
                new RolloutPaused(SET, "r1", "alice", "freeze"));
        FoldState now = fold.state();
        FoldState before = new FoldState(1, now.deploymentSet(), now.offset(), now.records(), now.since(), now.time(),
                now.peakSlots(), now.seen(), now.members(), now.removed(), now.rollouts(), now.rollout(),
                now.lastCompleted(), now.slots(), null, null);

        SetFold restored = SetFold.restore(before);
        apply(restored, T0, new HostClaimed(SET, "r1", "a"));
        assertTrue(restored.rollout().holding().isEmpty());
        apply(restored, T0, new RolloutResumed(SET, "r1", "alice"));
        assertTrue(restored.rollout().holds("a"));
    }

    @Test
    void namedHoldsGrantNothingForwardUntilTheLastIsReleasedAndAResumeDoesNotLiftThem() {
        RolloutPolicy policy = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), new HostJoined(SET, "b", false),
                new HoldPlaced(SET, "db-migration", Duration.ofMinutes(30), HoldPlaced.FAIL, "migrator", "schema 42"),
                started("r1", policy), new HostClaimed(SET, "r1", "a"));
        assertEquals(Rollout.Status.PAUSED, fold.rollout().status(), "started under a hold: held from its start");
        assertTrue(fold.rollout().holding().isEmpty());
        assertTrue(fold.rollout().reason().contains("held by db-migration (migrator: schema 42"),
                fold.rollout().reason());

        apply(fold, T0.plusSeconds(1), new HoldPlaced(SET, "lb", Duration.ofMinutes(5), HoldPlaced.RELEASE, "lb",
                "draining"), new RolloutPaused(SET, "r1", "bob", "looking"), new HoldReleased(SET, "db-migration", "m"),
                new RolloutResumed(SET, "r1", "bob"));
        assertEquals(Rollout.Status.PAUSED, fold.rollout().status(), "lb still holds it");
        assertTrue(fold.rollout().holding().isEmpty());

        apply(fold, T0.plusSeconds(2), new HoldReleased(SET, "lb", "lb"));
        assertEquals(Rollout.Status.RUNNING, fold.rollout().status());
        assertTrue(fold.rollout().holds("a"), "the claim made while held is granted once nothing holds");
        assertEquals(T0.plusSeconds(2), fold.rollout().waitingSince(), "members are waited for from the release");
    }

    @Test
    void aHoldEndsAtItsDeadlineInLogTimeReleasingOrFailingTheRolloutAsItSays() {
        RolloutPolicy policy = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5));
        for (String onExpiry : List.of(HoldPlaced.RELEASE, HoldPlaced.FAIL)) {
            SetFold fold = new SetFold(SET);
            apply(fold, T0, new HostJoined(SET, "a", false), new HostJoined(SET, "b", false), started("r1", policy),
                    new HostClaimed(SET, "r1", "a"), new HostSwitched(SET, "r1", "a", OLD, NEW, 1));
            apply(fold, T0.plusSeconds(1), new HoldPlaced(SET, "gate", Duration.ofSeconds(30), onExpiry, "ops", "wait"),
                    new HostHealthy(SET, "r1", "a"), new HostClaimed(SET, "r1", "b"));
            assertTrue(fold.rollout().holding().isEmpty(), onExpiry);

            apply(fold, T0.plusSeconds(30), new HoldOverdue(SET, "gate", "a"));
            assertEquals(Rollout.Status.PAUSED, fold.rollout().status(), onExpiry + ": a second before the deadline");
            apply(fold, T0.plusSeconds(31), new HoldOverdue(SET, "gate", "a"));

            assertEquals(Map.of(), fold.holds(), onExpiry);
            if (onExpiry.equals(HoldPlaced.RELEASE)) {
                assertEquals(Rollout.Status.RUNNING, fold.rollout().status());
                assertTrue(fold.rollout().holds("b"));
            } else {
                assertEquals(Rollout.Status.ABORTED, fold.rollout().status());
                assertTrue(fold.rollout().reason().contains("hold gate (ops: wait) was not released by its deadline"),
                        fold.rollout().reason());
                assertTrue(fold.mustGoBack(fold.rollout(), "a"), "the host that switched goes back");
            }
        }
    }

    @Test
    void aFoldWithHoldsRestoresFromItsStateAndGoesOnTheSame() {
        RolloutPolicy policy = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), started("r1", policy),
                new HoldPlaced(SET, "gate", Duration.ofSeconds(30), HoldPlaced.FAIL, "ops", "wait"));
        SetFold restored = SetFold.restore(EventJson.mapper().convertValue(
                EventJson.mapper().valueToTree(fold.state()), FoldState.class));
        assertEquals(fold.summary(), restored.summary());

        apply(fold, T0.plusSeconds(31), new HoldOverdue(SET, "gate", "a"));
        apply(restored, T0.plusSeconds(31), new HoldOverdue(SET, "gate", "a"));
        assertEquals(Rollout.Status.ABORTED, restored.rollout().status());
        assertEquals(fold.rollout().reason(), restored.rollout().reason());
    }

    @Test
    void aGateHoldsTheHostsAfterTheCanaryUntilAnApprovalAndAbortsAtItsDeadlineWithoutOne() {
        RolloutPolicy gated = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5), null,
                Duration.ofMinutes(10));
        for (boolean approve : List.of(true, false)) {
            SetFold fold = new SetFold(SET);
            apply(fold, T0, new HostJoined(SET, "canary", true), new HostJoined(SET, "b", false), started("r1", gated),
                    new HostClaimed(SET, "r1", "canary"), new HostClaimed(SET, "r1", "b"),
                    new HostSwitched(SET, "r1", "canary", OLD, NEW, 1), new HostHealthy(SET, "r1", "canary"));
            Rollout r = fold.rollout();
            assertTrue(r.atGate(), "the canary is done: the gate waits");
            assertEquals(T0.plus(Duration.ofMinutes(10)), r.gateDeadline());
            assertTrue(r.holding().isEmpty(), "b claimed but waits for the approval");
            assertTrue(r.reason().startsWith("waiting for an operator's approval since " + T0), r.reason());

            if (approve) {
                apply(fold, T0.plusSeconds(60), new GateApproved(SET, "r1", "operator:bob", "canary looks good"));
                assertTrue(fold.rollout().holds("b"));
                assertNull(fold.rollout().reason());
                apply(fold, T0.plusSeconds(61), new HostSwitched(SET, "r1", "b", OLD, NEW, 1),
                        new HostHealthy(SET, "r1", "b"));
                assertEquals(Rollout.Status.COMPLETED, fold.rollout().status());
            } else {
                apply(fold, T0.plus(Duration.ofMinutes(10)).minusMillis(1), new GateOverdue(SET, "r1", "b"));
                assertEquals(Rollout.Status.RUNNING, fold.rollout().status(), "a fast clock reports early: nothing");
                apply(fold, T0.plus(Duration.ofMinutes(10)), new GateOverdue(SET, "r1", "b"));
                assertEquals(Rollout.Status.ABORTED, fold.rollout().status());
                assertTrue(fold.rollout().reason().contains("not approved within PT10M"), fold.rollout().reason());
                assertTrue(fold.mustGoBack(fold.rollout(), "canary"));
            }
        }
    }

    @Test
    void anApprovalGivenBeforeTheCanaryIsDoneOpensTheGateAtOnceAndOneForAnotherRolloutIsIgnored() {
        RolloutPolicy gated = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5), null,
                Duration.ofMinutes(10));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "canary", true), new HostJoined(SET, "b", false), started("r1", gated),
                new GateApproved(SET, "r0", "operator:bob", "an older rollout"));
        assertNull(fold.rollout().approvedBy());
        apply(fold, T0, new GateApproved(SET, "r1", "operator:bob", "go"), new HostClaimed(SET, "r1", "canary"),
                new HostClaimed(SET, "r1", "b"), new HostSwitched(SET, "r1", "canary", OLD, NEW, 1),
                new HostHealthy(SET, "r1", "canary"));

        assertTrue(fold.rollout().holds("b"));
        assertEquals(false, fold.rollout().atGate());
    }

    @Test
    void withApprovalForEachBatchEveryBatchAfterTheCanaryWaitsForItsOwnApprovalAndAnOldOneOpensNothing() {
        RolloutPolicy perBatch = new RolloutPolicy(2, 0, Duration.ofMinutes(5), Duration.ofSeconds(5), null,
                Duration.ofMinutes(10), null, true);
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "canary", true), new HostJoined(SET, "b", false),
                new HostJoined(SET, "c", false), new HostJoined(SET, "d", false), new HostJoined(SET, "e", false),
                started("r1", perBatch));
        apply(fold, T0, new HostClaimed(SET, "r1", "canary"), new HostClaimed(SET, "r1", "b"),
                new HostClaimed(SET, "r1", "c"), new HostClaimed(SET, "r1", "d"), new HostClaimed(SET, "r1", "e"),
                new HostHealthy(SET, "r1", "canary"));
        Rollout r = fold.rollout();
        assertTrue(r.atGate());
        assertEquals(0, r.batch());
        assertTrue(r.reason().startsWith("waiting for an operator's approval of batch 1 after the canaries"), r.reason());

        apply(fold, T0.plusSeconds(10), new GateApproved(SET, "r1", "operator:bob", "canary looks good", 0));
        assertEquals(List.of("b", "c"), List.copyOf(r.holding().keySet()));
        apply(fold, T0.plusSeconds(20), new HostHealthy(SET, "r1", "b"));
        assertTrue(r.holding().keySet().equals(java.util.Set.of("c")), "a free slot, but the batch is full: "
                + r.holding());
        apply(fold, T0.plusSeconds(30), new HostHealthy(SET, "r1", "c"));
        assertTrue(r.atGate(), "batch 1 is done: batch 2 waits for its own approval");
        assertEquals(1, r.batch());
        assertEquals(T0.plusSeconds(30).plus(Duration.ofMinutes(10)), r.gateDeadline());
        assertTrue(r.holding().isEmpty());

        apply(fold, T0.plusSeconds(40), new GateApproved(SET, "r1", "operator:bob", "the first one, again", 0));
        assertTrue(r.atGate(), "an approval of batch 1 delivered again does not open batch 2");
        apply(fold, T0.plusSeconds(50), new GateApproved(SET, "r1", "operator:carol", "batch 1 looks good", 1));
        assertEquals(List.of("d", "e"), List.copyOf(r.holding().keySet()));
        assertEquals("operator:carol", r.approvedBy());
        apply(fold, T0.plusSeconds(60), new HostHealthy(SET, "r1", "d"), new HostHealthy(SET, "r1", "e"));
        assertEquals(Rollout.Status.COMPLETED, r.status());
        assertNull(r.reason(), "no gate is left to wait at");
        SetFold restored = SetFold.restore(EventJson.mapper().convertValue(
                EventJson.mapper().valueToTree(fold.state()), FoldState.class));
        assertEquals(fold.state().rollouts(), restored.state().rollouts());
    }

    @Test
    void aLaterBatchNotApprovedInTimeAbortsTheRolloutAndEveryHostThatSwitchedGoesBack() {
        RolloutPolicy perBatch = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5), null,
                Duration.ofMinutes(10), null, true);
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "b", false), new HostJoined(SET, "c", false), started("r1", perBatch),
                new HostClaimed(SET, "r1", "b"), new HostClaimed(SET, "r1", "c"));
        assertTrue(fold.rollout().atGate(), "without canaries the first batch waits from the start");
        apply(fold, T0, new GateApproved(SET, "r1", "operator:bob", "go", 0),
                new HostSwitched(SET, "r1", "b", OLD, NEW, 1), new HostHealthy(SET, "r1", "b"));
        assertTrue(fold.rollout().atGate());
        apply(fold, T0.plus(Duration.ofMinutes(10)), new GateOverdue(SET, "r1", "c"));

        assertEquals(Rollout.Status.ABORTED, fold.rollout().status());
        assertTrue(fold.rollout().reason().contains("not approved within PT10M"), fold.rollout().reason());
        assertTrue(fold.mustGoBack(fold.rollout(), "b"));
    }

    @Test
    void aRolloutThatFollowsOtherSetsWaitsUntilEachIsMetAndARecipeEntryOnlyByThatRecipe() {
        String schema = "sha256:" + "5".repeat(64);
        RolloutPolicy follows = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5), null, null,
                null, false, "2026.12", List.of("db-schema", "auth@" + schema));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), started("r1", follows), new HostClaimed(SET, "r1", "a"));
        Rollout r = fold.rollout();
        assertEquals(Rollout.Status.PAUSED, r.status());
        assertTrue(r.reason().contains("waiting for set db-schema to complete a rollout of release 2026.12; waiting "
                + "for set auth to complete a rollout of recipe " + schema), r.reason());

        apply(fold, T0.plusSeconds(1), new PrerequisiteMet(SET, "r1", "db-schema", "db-r7", NEW, "a"),
                new PrerequisiteMet(SET, "r1", "auth@" + schema, "auth-r3", NEW, "a"),
                new PrerequisiteMet(SET, "r0", "auth@" + schema, "auth-r3", schema, "a"));
        assertEquals(List.of("auth@" + schema), r.waitingFor(), "another recipe, or another rollout, meets nothing");
        assertTrue(r.holding().isEmpty());

        apply(fold, T0.plusSeconds(2), new PrerequisiteMet(SET, "r1", "auth@" + schema, "auth-r3", schema, "a"));
        assertEquals(Rollout.Status.RUNNING, r.status());
        assertTrue(r.holds("a"));
        SetFold restored = SetFold.restore(EventJson.mapper().convertValue(
                EventJson.mapper().valueToTree(fold.state()), FoldState.class));
        assertEquals(fold.state().rollouts(), restored.state().rollouts());
    }

    @Test
    void aRolloutOutsideItsWindowWaitsForItsStartInLogTimeStopsAtItsEndAndGoesOnWhenOverridden() {
        // T0 is Tuesday 12:00 UTC.
        RolloutPolicy windowed = new RolloutPolicy(1, 0, Duration.ofMinutes(30), Duration.ofSeconds(5), null, null,
                List.of("Tue 12:10-12:20 UTC"));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), new HostJoined(SET, "b", false), started("r1", windowed),
                new HostClaimed(SET, "r1", "a"));
        assertEquals(Rollout.Status.PAUSED, fold.rollout().status());
        assertTrue(fold.rollout().holding().isEmpty());
        assertTrue(fold.rollout().reason().contains("outside its deployment windows [Tue 12:10-12:20 UTC]; waiting for "
                + "the next, which opens at 2026-11-24T12:10:00Z"), fold.rollout().reason());
        assertEquals(Instant.parse("2026-11-24T12:10:00Z"), fold.windowOpensAt());
        SetFold restored = SetFold.restore(EventJson.mapper().convertValue(
                EventJson.mapper().valueToTree(fold.state()), FoldState.class));

        for (SetFold f : List.of(fold, restored)) {
            apply(f, Instant.parse("2026-11-24T12:09:59.999Z"), new WindowOpened(SET, "r1", "b"));
            assertEquals(Rollout.Status.PAUSED, f.rollout().status(), "a fast clock reports early: nothing");
            apply(f, Instant.parse("2026-11-24T12:10:00Z"), new WindowOpened(SET, "r1", "b"));
            assertEquals(Rollout.Status.RUNNING, f.rollout().status(), "open from its first instant");
            assertTrue(f.rollout().holds("a"), "the claim made outside the window is granted once it opens");
            assertEquals(Instant.parse("2026-11-24T12:10:00Z"), f.rollout().waitingSince());
            assertNull(f.windowOpensAt());

            apply(f, Instant.parse("2026-11-24T12:20:00Z"), new HostSwitched(SET, "r1", "a", OLD, NEW, 1),
                    new HostHealthy(SET, "r1", "a"), new HostClaimed(SET, "r1", "b"));
            assertEquals(Rollout.Status.PAUSED, f.rollout().status(), "its end is outside: no new slot");
            assertTrue(f.rollout().holding().isEmpty());
            assertEquals(Instant.parse("2026-12-01T12:10:00Z"), f.windowOpensAt(), "next Tuesday's");

            apply(f, Instant.parse("2026-11-24T12:21:00Z"), new WindowOverridden(SET, "r0", "operator:bob", "older"));
            assertEquals(Rollout.Status.PAUSED, f.rollout().status(), "an override of another rollout: nothing");
            apply(f, Instant.parse("2026-11-24T12:21:00Z"), new WindowOverridden(SET, "r1", "operator:bob", "hotfix"));
            assertEquals(Rollout.Status.RUNNING, f.rollout().status());
            assertEquals("operator:bob", f.rollout().windowOverriddenBy());
            assertTrue(f.rollout().holds("b"));
        }
        assertEquals(fold.state().rollouts(), restored.state().rollouts(), "the records' ids differ, not the rollout");
        assertEquals(fold.state().slots(), restored.state().slots());
    }

    @Test
    void aPauseStillHoldsWhenTheWindowOpensAndAnInvalidWindowNeverOpensUntilOverridden() {
        RolloutPolicy windowed = new RolloutPolicy(1, 0, Duration.ofMinutes(30), Duration.ofSeconds(5), null, null,
                List.of("Tue 12:10-12:20 UTC"));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), started("r1", windowed),
                new RolloutPaused(SET, "r1", "bob", "incident 4411"), new HostClaimed(SET, "r1", "a"));
        apply(fold, T0.plus(Duration.ofMinutes(10)), new WindowOpened(SET, "r1", "a"));
        assertEquals(Rollout.Status.PAUSED, fold.rollout().status());
        assertEquals("incident 4411", fold.rollout().reason(), "only the pause holds it now");
        apply(fold, T0.plus(Duration.ofMinutes(11)), new RolloutResumed(SET, "r1", "bob"));
        assertTrue(fold.rollout().holds("a"));

        RolloutPolicy forged = new RolloutPolicy(1, 0, Duration.ofMinutes(30), Duration.ofSeconds(5), null, null,
                List.of("whenever"));
        SetFold never = new SetFold(SET);
        apply(never, T0, new HostJoined(SET, "a", false), started("r1", forged), new HostClaimed(SET, "r1", "a"));
        assertEquals(Rollout.Status.PAUSED, never.rollout().status());
        assertTrue(never.rollout().reason().contains("which are not windows"), never.rollout().reason());
        assertNull(never.windowOpensAt(), "no record can open it");
        apply(never, T0.plusSeconds(1), new WindowOverridden(SET, "r1", "operator:bob", "the policy is broken"));
        assertTrue(never.rollout().holds("a"));
    }

    @Test
    void aHostThatJoinsAfterCompletionCanStillClaimAndConverge() {
        RolloutPolicy policy = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(5));
        SetFold fold = new SetFold(SET);
        apply(fold, T0, new HostJoined(SET, "a", false), started("r1", policy), new HostClaimed(SET, "r1", "a"),
                new HostHealthy(SET, "r1", "a"));
        assertEquals(Rollout.Status.COMPLETED, fold.rollout().status());
        assertNotNull(fold.lastCompleted());

        apply(fold, T0, new HostJoined(SET, "late", false), new HostClaimed(SET, "r1", "late"));

        assertTrue(fold.rollout().holds("late"));
    }

    private static RolloutStarted started(String id, RolloutPolicy policy) {
        return new RolloutStarted(SET, id, "staging", "sha256:" + "1".repeat(64), NEW, policy);
    }

    private static void apply(SetFold fold, Instant at, SlipwayEvent... events) {
        for (SlipwayEvent data : events) {
            fold.apply(new Event<>(UUID.randomUUID().toString(), "/test", at, data), at, fold.offset() + 1);
        }
    }

    private static SetFold fold(List<Entry> log) {
        SetFold fold = new SetFold(SET);
        for (int i = 0; i < log.size(); i++) {
            fold.apply(log.get(i).event(), log.get(i).time(), i);
        }
        return fold;
    }

    private static String summary(SetFold fold) {
        Rollout r = fold.rollout();
        return r.status() + " holding=" + r.holding() + " healthy=" + r.healthy() + " failed=" + r.failed()
                + " switched=" + r.switched();
    }

    /**
     * Agents as the protocol runs them, in a random interleaving: each joins, claims, and when granted switches
     * and reports healthy or (with the given odds) failed. Returns the log they wrote.
     */
    static List<Entry> simulate(SplittableRandom random, int hosts, int canaries, RolloutPolicy policy,
            double failureOdds) {
        List<Entry> log = new ArrayList<>();
        SetFold view = new SetFold(SET);
        Instant[] now = {T0};
        java.util.function.Consumer<SlipwayEvent> append = data -> {
            now[0] = now[0].plusMillis(1 + random.nextInt(50));
            Event<?> event = new Event<>(UUID.randomUUID().toString(), "/sim", now[0], data);
            log.add(new Entry(event, now[0]));
            view.apply(event, now[0], log.size() - 1);
        };
        List<String> names = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            names.add("host-" + i);
            append.accept(new HostJoined(SET, "host-" + i, i < canaries));
        }
        append.accept(started("r1", policy));
        List<String> unclaimed = new ArrayList<>(names);
        while (view.rollout().status() == Rollout.Status.RUNNING) {
            List<String> holders = new ArrayList<>(view.rollout().holding().keySet());
            if (!unclaimed.isEmpty() && (holders.isEmpty() || random.nextBoolean())) {
                append.accept(new HostClaimed(SET, "r1", unclaimed.remove(random.nextInt(unclaimed.size()))));
            } else if (!holders.isEmpty()) {
                String host = holders.get(random.nextInt(holders.size()));
                if (!view.rollout().switched().contains(host)) {
                    append.accept(new HostSwitched(SET, "r1", host, OLD, NEW, 2));
                } else if (random.nextDouble() < failureOdds) {
                    append.accept(new HostFailed(SET, "r1", host, "health check failed", host));
                } else {
                    append.accept(new HostHealthy(SET, "r1", host));
                }
            } else {
                break;
            }
        }
        return log;
    }
}
