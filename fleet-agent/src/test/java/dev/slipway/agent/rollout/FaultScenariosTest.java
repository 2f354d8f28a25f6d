package dev.slipway.agent.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutStarted;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The faults every fleet has, one by one, against the fold and the decisions (issue 12's scenarios). */
class FaultScenariosTest {

    static final String SET = "payments";
    static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
    static final String V0 = "sha256:" + "0".repeat(64);
    static final String V1 = "sha256:" + "1".repeat(64);
    static final String V2 = "sha256:" + "2".repeat(64);
    static final String RECIPE = "sha256:" + "a".repeat(64);
    static final RolloutPolicy POLICY = new RolloutPolicy(1, 0, Duration.ofSeconds(60), Duration.ofSeconds(5),
            Duration.ofSeconds(30));

    private final SetFold fold = new SetFold(SET);

    @Test
    void aDeadCanaryIsLostAtTheProgressDeadlineAndAnotherHostStandsInAsCanary() {
        at(0, join("canary", true), join("a", false), join("b", false), started("r1", V1, 0));
        at(1, new HostClaimed(SET, "r1", "a"), new HostClaimed(SET, "r1", "b"));
        assertTrue(fold.slots().isEmpty(), "nobody goes before the canary while it may still come");

        at(31, new HostFailed(SET, "r1", "canary", "did not claim", "a"));

        assertEquals(Set.of("canary"), fold.rollout().lost());
        assertEquals(Set.of("a"), fold.slots().keySet(), "one host stands in for the canary, alone");
        assertEquals(Set.of("a"), fold.rollout().standIns());
        at(33, new HostSwitched(SET, "r1", "a", V0, V1, 2), new HostHealthy(SET, "r1", "a"));
        assertEquals(Set.of("b"), fold.slots().keySet(), "the others go once the stand-in is healthy");
        at(35, new HostSwitched(SET, "r1", "b", V0, V1, 2), new HostHealthy(SET, "r1", "b"));

        assertEquals(Rollout.Status.COMPLETED, fold.rollout().status(), "the lost canary does not hold it back");
    }

    @Test
    void aStandInCanaryThatFailsAbortsAsTheCanaryWould() {
        at(0, join("canary", true), join("a", false), join("b", false), started("r1", V1, 0));
        at(1, new HostClaimed(SET, "r1", "a"), new HostClaimed(SET, "r1", "b"));
        at(31, new HostFailed(SET, "r1", "canary", "did not claim", "a"));
        at(33, new HostSwitched(SET, "r1", "a", V0, V1, 2), new HostFailed(SET, "r1", "a", "503", "a"));

        assertEquals(Rollout.Status.ABORTED, fold.rollout().status());
        assertFalse(fold.rollout().switched().contains("b"));
    }

    @Test
    void removingASlotHolderFreesItsSlotAndRemovingTheLastUnfinishedMemberCompletes() {
        at(0, join("a", false), join("b", false), started("r1", V1, 0));
        at(1, new HostClaimed(SET, "r1", "a"), new HostClaimed(SET, "r1", "b"));
        assertEquals(Set.of("a"), fold.slots().keySet());

        at(2, new HostLeft(SET, "a"));
        assertEquals(Set.of("b"), fold.slots().keySet(), "the next claim gets the slot");
        at(3, new HostSwitched(SET, "r1", "b", V0, V1, 2), new HostHealthy(SET, "r1", "b"));
        assertEquals(Rollout.Status.COMPLETED, fold.rollout().status());

        at(4, started("r2", V2, 1), new HostClaimed(SET, "r2", "b"), join("c", false));
        at(5, new HostSwitched(SET, "r2", "b", V1, V2, 3), new HostHealthy(SET, "r2", "b"));
        assertEquals(Rollout.Status.RUNNING, fold.rollout().status(), "c has not taken it yet");
        at(6, new HostLeft(SET, "c"));
        assertEquals(Rollout.Status.COMPLETED, fold.rollout().status(), "removing the last one left completes it");
        assertEquals(Set.of("a", "c"), fold.removed());
    }

    @Test
    void aLateHostThatFailsAfterCompletionLeavesTheRolloutCompletedAndNobodyGoesBack() {
        at(0, join("a", false), started("r1", V1, 0), new HostClaimed(SET, "r1", "a"));
        at(1, new HostSwitched(SET, "r1", "a", V0, V1, 2), new HostHealthy(SET, "r1", "a"));
        assertEquals(Rollout.Status.COMPLETED, fold.rollout().status());

        at(100, join("late", false), new HostFailed(SET, "r1", "late", "provenance does not verify", "late"));
        at(101, join("late2", false), new HostClaimed(SET, "r1", "late2"));
        at(102, new HostSwitched(SET, "r1", "late2", null, V1, 1), new HostFailed(SET, "r1", "late2", "503", "late2"));

        assertEquals(Rollout.Status.COMPLETED, fold.rollout().status());
        assertFalse(fold.mustGoBack(fold.rollout(), "a"), "the healthy host keeps the version");
        assertTrue(fold.mustGoBack(fold.rollout(), "late2"), "the late host that failed goes back itself");
    }

    @Test
    void aRolloutForAnOlderDeployableNeverSupersedesANewerOne() {
        at(0, join("a", false), started("r2", V2, 5));
        at(1, started("r1", V1, 4));

        assertEquals("r2", fold.rollout().id());
        assertEquals(V2, fold.rollout().artifact());
    }

    @Test
    void aPeerReportOfASilentHostCountsOnlyOnceTheLogsTimeIsPastTheDeadline() {
        at(0, join("a", false), join("b", false), started("r1", V1, 0));
        at(1, new HostClaimed(SET, "r1", "a"), new HostClaimed(SET, "r1", "b"));

        at(20, new HostFailed(SET, "r1", "a", "silent past its slot deadline", "b"));
        assertTrue(fold.rollout().holds("a"), "a fast clock's early report changes nothing");
        assertFalse(fold.rollout().failed().contains("a"));

        at(62, new HostFailed(SET, "r1", "a", "silent past its slot deadline", "b"));
        assertTrue(fold.rollout().failed().contains("a"));
        assertEquals(Instant.ofEpochSecond(T0.getEpochSecond() + 62), fold.rollout().expired().get("a"));
    }

    @Test
    void aSupersededRolloutsSlotHoldersCountAgainstTheNewRollout() {
        RolloutPolicy two = new RolloutPolicy(2, 0, Duration.ofSeconds(60), Duration.ofSeconds(5));
        at(0, join("a", false), join("b", false), join("c", false), join("d", false));
        at(0, new RolloutStarted(SET, "r1", "staging", RECIPE, V1, two, 0L));
        at(1, new HostClaimed(SET, "r1", "a"), new HostClaimed(SET, "r1", "b"));
        at(2, new RolloutStarted(SET, "r2", "staging", RECIPE, V2, two, 1L), new HostClaimed(SET, "r2", "c"),
                new HostClaimed(SET, "r2", "d"));

        assertEquals(Set.of("a", "b"), fold.slots().keySet(), "a and b are still out of service for r1");
        at(3, new HostSwitched(SET, "r1", "a", V0, V1, 2), new HostHealthy(SET, "r1", "a"));
        assertEquals(Set.of("b", "c"), fold.slots().keySet());
    }

    @Test
    void aRollbackOfACompletedRolloutGoesBackHostByHostThroughSlots() {
        RolloutPolicy two = new RolloutPolicy(2, 0, Duration.ofSeconds(60), Duration.ofSeconds(5));
        at(0, join("a", false), join("b", false), join("c", false), join("d", false), join("e", false));
        at(0, new RolloutStarted(SET, "r1", "staging", RECIPE, V1, two, 0L));
        for (String host : List.of("a", "b", "c", "d", "e")) {
            at(1, new HostClaimed(SET, "r1", host));
        }
        for (String host : List.of("a", "b", "c", "d", "e")) {
            at(2, new HostSwitched(SET, "r1", host, V0, V1, 2), new HostHealthy(SET, "r1", host));
        }
        assertEquals(Rollout.Status.COMPLETED, fold.rollout().status());

        at(10, new RollbackRequested(SET, "r1", "alice", "the new version loses orders"));
        for (String host : List.of("a", "b", "c", "d", "e")) {
            assertTrue(fold.mustGoBack(fold.rollout(), host));
            at(11, new HostClaimed(SET, "r1", host));
        }

        assertEquals(Set.of("a", "b"), fold.slots().keySet(), "two at a time, as the policy says");
        assertTrue(fold.slots().values().stream().allMatch(SetFold.Slot::back));
        at(12, new HostSwitched(SET, "r1", "a", V1, V0, 3), new HostHealthy(SET, "r1", "a"));
        assertEquals(Set.of("b", "c"), fold.slots().keySet());
        assertFalse(fold.mustGoBack(fold.rollout(), "a"));
        Step end = Decisions.next(fold, host("a", V0, Map.of(), Set.of())).stream()
                .filter(s -> s.key().startsWith("end/")).findFirst().orElseThrow();
        assertEquals(Decisions.endIdOf("r1", Rollout.Status.ABORTED), ((Step.Append) end).eventId(),
                "the rolled-back rollout ends again, aborted, under an id of its own");
    }

    @Test
    void aHostFailedWhileItWasAwayInTheMiddleOfItsSwitchClaimsASlotToGoBack() {
        at(0, join("a", false), join("b", false), started("r1", V1, 0));
        at(1, new HostClaimed(SET, "r1", "a"), new HostClaimed(SET, "r1", "b"));
        // a said it switches, switched its disk and crashed before its health check: its slot expires.
        at(2, new HostSwitched(SET, "r1", "a", V0, V1, 2));
        at(62, new HostFailed(SET, "r1", "a", "silent", "b"));
        assertTrue(fold.rollout().failed().contains("a"));

        HostView back = host("a", V1, Map.of(), Set.of());
        List<Step> steps = Decisions.next(fold, back);

        assertEquals(List.of(new Step.Append("claim-back/r1", new HostClaimed(SET, "r1", "a"), null)),
                steps.stream().filter(s -> s.key().startsWith("claim")).toList());
    }

    @Test
    void aHostThatRefusedAReleaseTriesAgainWhenItIsPromotedAgain() {
        at(0, join("a", false), join("b", false), started("r1", V1, 0));
        HostView refusing = host("a", V0, Map.of("r1", "provenance does not verify"), Set.of());
        assertTrue(Decisions.next(fold, refusing).stream().anyMatch(s -> s.key().equals("refuse/r1")));

        at(5, started("r2", V1, 1));

        assertTrue(Decisions.next(fold, refusing).stream().anyMatch(s -> s.equals(new Step.Prepare("r2", RECIPE, V1))),
                "a new rollout of the same artifact is prepared afresh");
    }

    @Test
    void whenTheFirstMemberIsDeadTheNextAnnouncesTheEndASecondLaterUnderTheSameId() {
        at(0, join("a", false), join("b", false), started("r1", V1, 0));
        at(1, new HostFailed(SET, "r1", "b", "refused", "b"));
        assertEquals(Rollout.Status.ABORTED, fold.rollout().status());

        HostView b = host("b", V0, Map.of(), Set.of());
        assertTrue(Decisions.next(fold, b).stream().noneMatch(s -> s.key().startsWith("end/")), "a goes first");
        HostView bLater = new HostView("b", "b-1", false, false, V0, Set.of(V0), Map.of(), Set.of(), Map.of(), Map.of(),
                Map.of(), HostView.Released.fresh(null), T0.plusSeconds(3));
        Step end = Decisions.next(fold, bLater).stream().filter(s -> s.key().startsWith("end/")).findFirst().orElseThrow();

        assertEquals(Decisions.endIdOf("r1", Rollout.Status.ABORTED), ((Step.Append) end).eventId());
        at(3, new RolloutAborted(SET, "r1", "refused"));
        assertTrue(fold.rollout().announced());
    }

    @Test
    void membersTakeTurnsToStartARolloutUnderOneIdSoOneLiveMemberStartsItAlone() {
        at(0, join("a", false), join("b", false), join("c", false));
        String rollout = Decisions.rolloutIdOf("d1");

        List<Step> first = Decisions.next(fold, host("a", V0, Map.of(), Set.of()));
        List<Step> thirdAtOnce = Decisions.next(fold, host("c", V0, Map.of(), Set.of()));
        List<Step> thirdLater = Decisions.next(fold, new HostView("c", "c-1", false, false, V0, Set.of(V0, V1),
                Map.of(RECIPE, POLICY), Set.of(), Map.of(), Map.of(), Map.of(), released, T0.plusSeconds(2)));

        Step.Append start = (Step.Append) first.stream().filter(s -> s.key().startsWith("start/")).findFirst()
                .orElseThrow();
        assertEquals(Decisions.startIdOf(rollout), start.eventId());
        assertTrue(thirdAtOnce.stream().noneMatch(s -> s.key().startsWith("start/")), "c waits its turn: " + thirdAtOnce);
        assertTrue(thirdLater.stream().anyMatch(s -> s instanceof Step.Append append
                && Decisions.startIdOf(rollout).equals(append.eventId())), "two seconds on, c starts it: " + thirdLater);
    }

    @Test
    void aRevocationDuringARolloutStopsItsSlotsAndEveryHostThatHasNotSwitchedRefusesIt() {
        at(0, join("a", false), join("b", false), join("c", false), started("r1", V1, 0));
        at(1, new HostClaimed(SET, "r1", "a"));
        assertEquals(Set.of("a"), fold.slots().keySet());
        // The store revoked V1 and the channel holds: nothing to fall back to.
        released = new HostView.Released(null, Map.of(V1, "CVE-2026-3"), null);

        List<Step> holder = Decisions.next(fold, host("a", V0, Map.of(), Set.of("r1")));
        List<Step> waiting = Decisions.next(fold, host("b", V0, Map.of(), Set.of()));

        assertTrue(holder.stream().noneMatch(Step.TakeSlot.class::isInstance), "no host switches to it: " + holder);
        assertTrue(holder.stream().anyMatch(step -> step instanceof Step.Append append
                && append.event() instanceof HostFailed failed && failed.reason().contains("gave its slot back")
                && failed.reason().contains("was revoked: CVE-2026-3")), holder.toString());
        assertTrue(waiting.stream().anyMatch(step -> step instanceof Step.Append append
                && append.event() instanceof HostFailed failed && failed.reason().contains("was revoked")),
                waiting.toString());
        at(2, new HostFailed(SET, "r1", "a", "gave its slot back untouched: " + V1 + " was revoked: CVE-2026-3", "a"));
        assertEquals(Rollout.Status.ABORTED, fold.rollout().status(), "beyond the failure tolerance of 0");
        assertTrue(fold.slots().isEmpty());
    }

    @Test
    void aRolloutTheSignedStateDoesNotNameWaitsRatherThanClaims() {
        at(0, join("a", false), started("r1", V1, 0));
        released = HostView.Released.fresh(new HostView.Deployable("d2", 5, "staging", RECIPE, V2, T0));

        List<Step> steps = Decisions.next(fold, host("a", V0, Map.of(), Set.of("r1")));

        assertTrue(steps.stream().noneMatch(step -> step.key().startsWith("claim/") || step instanceof Step.Prepare
                && ((Step.Prepare) step).rolloutId().equals("r1")), "no claim of r1: " + steps);
    }

    @Test
    void aSecondAgentUnderTheSameIdMakesTheFirstStandAside() {
        at(0, new HostJoined(SET, "a", false, "a-1"), new HostJoined(SET, "a", false, "a-2"));

        List<Step> first = Decisions.next(fold, new HostView("a", "a-1", false, false, V0, Set.of(V0), Map.of(), Set.of(),
                Map.of(), Map.of(), Map.of(), HostView.Released.fresh(null), T0));

        assertTrue(first.get(0) instanceof Step.StandAside aside && aside.why().contains("two agents share the id a"),
                first.toString());
    }

    @Test
    void aRemovedHostStaysOutWhenItsAgentRestartsUnlessAskedToRejoin() {
        at(0, new HostJoined(SET, "a", false, "a-1"), new HostLeft(SET, "a"));

        List<Step> restarted = Decisions.next(fold, new HostView("a", "a-2", false, false, V0, Set.of(V0), Map.of(),
                Set.of(), Map.of(), Map.of(), Map.of(), HostView.Released.fresh(null), T0));
        List<Step> rejoining = Decisions.next(fold, new HostView("a", "a-3", false, true, V0, Set.of(V0), Map.of(),
                Set.of(), Map.of(), Map.of(), Map.of(), HostView.Released.fresh(null), T0));

        assertTrue(restarted.get(0) instanceof Step.StandAside, restarted.toString());
        assertEquals("join/a-3", rejoining.get(0).key());
    }

    /** What the hosts' signed channel state releases: V1 of the recipe, unless a test says otherwise. */
    private HostView.Released released = HostView.Released.fresh(new HostView.Deployable("d1", 0, "staging", RECIPE, V1, T0));

    private HostView host(String me, String running, Map<String, String> refused, Set<String> prepared) {
        Map<String, RolloutPolicy> recipes = new HashMap<>();
        recipes.put(RECIPE, POLICY);
        return new HostView(me, me + "-1", false, false, running, Set.of(V0, V1), recipes, prepared, refused, Map.of(),
                Map.of(), released, fold.time());
    }

    private static HostJoined join(String host, boolean canary) {
        return new HostJoined(SET, host, canary, host + "-1");
    }

    private static RolloutStarted started(String id, String artifact, long offset) {
        return new RolloutStarted(SET, id, "staging", RECIPE, artifact, POLICY, offset);
    }

    private void at(int second, SlipwayEvent... events) {
        Instant time = T0.plusSeconds(second);
        for (SlipwayEvent data : events) {
            fold.apply(new Event<>(UUID.randomUUID().toString(), "/test", time, data), time, fold.offset() + 1);
        }
    }
}
