package dev.slipway.events;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.slipway.events.agent.AgentState;
import dev.slipway.events.agent.Health;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ArtifactRejected;
import dev.slipway.events.artifact.ArtifactRevoked;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.events.build.BuildFailed;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.build.BuildStarted;
import dev.slipway.events.command.ApprovalRequested;
import dev.slipway.events.command.WindowOverrideRequested;
import dev.slipway.events.command.HoldReleaseRequested;
import dev.slipway.events.command.HoldRequested;
import dev.slipway.events.command.PauseRequested;
import dev.slipway.events.command.RemoveHostRequested;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.ResumeRequested;
import dev.slipway.events.command.RevokeRequested;
import dev.slipway.events.rollout.GateApproved;
import dev.slipway.events.rollout.PrerequisiteMet;
import dev.slipway.events.rollout.WindowOpened;
import dev.slipway.events.rollout.WindowOverridden;
import dev.slipway.events.rollout.GateOverdue;
import dev.slipway.events.rollout.GateReached;
import dev.slipway.events.rollout.HoldOverdue;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.HoldReleased;
import dev.slipway.events.rollout.HookRan;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostOverdue;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.wire.EventJson;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** One realistic payload of every event type of the catalogue. */
final class EventSamples {

    static final String SET = "payments-api";
    static final String RECIPE = digest("recipe");
    static final String ARTIFACT = digest("artifact");
    static final String PREVIOUS = digest("previous artifact");
    static final String ROLLOUT = "r-2026-11-24-1";

    private EventSamples() {
    }

    static List<SlipwayEvent> all() {
        RolloutPolicy policy = new RolloutPolicy(2, 1, Duration.ofMinutes(5), Duration.ofSeconds(30),
                Duration.ofMinutes(5), Duration.ofHours(2), List.of("Mon-Fri 09:00-17:00 Europe/Berlin"), true,
                "2026.12", List.of("db-schema", "auth@" + digest("auth recipe")));
        return List.of(
                new BuildRequested(RECIPE, "ci:payments#1842"),
                new BuildStarted(RECIPE, "builder-1", true),
                new BuildFailed(RECIPE, "builder-1", "step 2 (make test) exited with status 2", digest("log"), true),
                new ArtifactBuilt(ARTIFACT, RECIPE, SET, Map.of("src", digest("src"), "jdk", digest("jdk")),
                        digest("provenance"), "c2lnbmF0dXJl", digest("log"), "builder-1", true, false),
                new ArtifactRejected(ARTIFACT, RECIPE, "provenance signature does not verify against any trusted key"),
                new ArtifactDeployable(SET, "production", RECIPE, ARTIFACT, "releaser:alice"),
                new ArtifactRevoked(SET, RECIPE, ARTIFACT, "CVE-2026-1234", "releaser:alice"),
                new ChannelStateSigned(SET, 7, "{\"payloadType\":\"application/vnd.slipway.channel-state.v1+json\"}"),
                new RolloutStarted(SET, ROLLOUT, "production", RECIPE, ARTIFACT, policy),
                new HostJoined(SET, "host-1", true),
                new HostLeft(SET, "host-5"),
                new SetCheckpointed(SET, 41, 44, EventJson.mapper().createObjectNode().put("format", 1)),
                new HostClaimed(SET, ROLLOUT, "host-1"),
                new HostDrained(SET, ROLLOUT, "host-1", true),
                new HostSwitched(SET, ROLLOUT, "host-1", PREVIOUS, ARTIFACT, 7),
                new HostHealthy(SET, ROLLOUT, "host-1"),
                new HookRan(SET, ROLLOUT, "host-1", HookRan.BEFORE_DRAIN, 0, "deregistered from lb-3\n", 412),
                new HostFailed(SET, ROLLOUT, "host-2", "slot held past its deadline", "host-3"),
                new HostOverdue(SET, ROLLOUT, "host-4", HostOverdue.PROGRESS, "did not claim within PT5M", "host-3"),
                new RolloutPaused(SET, ROLLOUT, "operator:bob", "waiting for the database migration"),
                new RolloutResumed(SET, ROLLOUT, "operator:bob"),
                new HoldPlaced(SET, "db-migration", Duration.ofMinutes(30), HoldPlaced.FAIL, "service:migrator",
                        "schema 42 migrating"),
                new HoldReleased(SET, "db-migration", "service:migrator"),
                new HoldOverdue(SET, "db-migration", "host-3"),
                new GateReached(SET, ROLLOUT, "host-1", 2),
                new GateApproved(SET, ROLLOUT, "operator:bob", "canary looks good", 2),
                new GateOverdue(SET, ROLLOUT, "host-2"),
                new WindowOverridden(SET, ROLLOUT, "operator:bob", "hotfix for incident 4411"),
                new WindowOpened(SET, ROLLOUT, "host-2"),
                new PrerequisiteMet(SET, ROLLOUT, "db-schema", "r-db-7", digest("db-schema recipe"), "host-2"),
                new RolloutCompleted(SET, ROLLOUT),
                new RolloutAborted(SET, ROLLOUT, "2 hosts failed, tolerance is 1"),
                new RollbackRequested(SET, null, "operator:bob", "error rate up after the release"),
                new AgentState("host-1", SET, "production", ARTIFACT, PREVIOUS, Health.HEALTHY,
                        Instant.parse("2026-11-24T10:15:30.123456Z"), null),
                new PromoteRequested(SET, "production", RECIPE, "operator:alice"),
                new PauseRequested(SET, "r-1", "operator:bob", "incident 4411"),
                new HoldRequested(SET, "db-migration", Duration.ofMinutes(30), HoldPlaced.RELEASE, "service:migrator",
                        "schema 42 migrating"),
                new HoldReleaseRequested(SET, "db-migration", "service:migrator"),
                new ApprovalRequested(SET, ROLLOUT, "operator:bob", "canary looks good", 2),
                new WindowOverrideRequested(SET, ROLLOUT, "operator:bob", "hotfix for incident 4411"),
                new RemoveHostRequested(SET, "host-5", "operator:bob", "decommissioned"),
                new ResumeRequested(SET, null, "operator:bob"),
                new RevokeRequested(SET, RECIPE, "operator:alice", "CVE-2026-1234"));
    }

    static String digest(String text) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
