package dev.slipway.release.projection;

import dev.slipway.events.SlipwayEvent;
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
import dev.slipway.events.command.WindowOverrideRequested;
import dev.slipway.events.command.HoldReleaseRequested;
import dev.slipway.events.command.HoldRequested;
import dev.slipway.events.command.PauseRequested;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RemoveHostRequested;
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
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.HostOverdue;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.rollout.SetCheckpointed;

/**
 * One line per event that a person reading the audit trail understands without the JSON: a method for every type,
 * so a new type does not compile until it has its line.
 */
final class Summaries implements SlipwayEvent.Visitor<String> {

    private static final Summaries LINES = new Summaries();

    private Summaries() {
    }

    static String of(SlipwayEvent data) {
        return data.accept(LINES);
    }

    @Override
    public String visit(BuildRequested e) {
        return e.requestedBy() + " requested a build of " + e.recipe();
    }

    @Override
    public String visit(BuildStarted e) {
        return e.builder() + " started building " + e.recipe() + (e.hermetic() ? "" : " (NOT hermetic)");
    }

    @Override
    public String visit(BuildFailed e) {
        return "build of " + e.recipe() + " failed: " + e.reason();
    }

    @Override
    public String visit(ArtifactBuilt e) {
        return e.recipe() + " built to " + e.artifact() + (e.cacheHit() ? " (from the action cache)" : "");
    }

    @Override
    public String visit(ArtifactRejected e) {
        return "the store refused " + e.artifact() + ": " + e.reason();
    }

    @Override
    public String visit(ArtifactDeployable e) {
        return e.artifact() + " deployable on " + e.deploymentSet() + "/" + e.channel() + " (by " + e.flaggedBy() + ")";
    }

    @Override
    public String visit(ArtifactRevoked e) {
        return e.revokedBy() + " revoked " + e.recipe() + " on " + e.deploymentSet() + ": " + e.reason();
    }

    @Override
    public String visit(ChannelStateSigned e) {
        return "the store signed channel state v" + e.version() + " of " + e.deploymentSet();
    }

    @Override
    public String visit(AgentState e) {
        return e.agentId() + " runs " + e.current() + ", " + (e.health() == null ? "unknown" : e.health().wireName())
                + (e.problem() == null ? "" : "; problem: " + e.problem());
    }

    @Override
    public String visit(HostJoined e) {
        return e.hostId() + " joined " + e.deploymentSet() + (e.canary() ? " as a canary" : "");
    }

    @Override
    public String visit(HostLeft e) {
        return e.hostId() + " left " + e.deploymentSet();
    }

    @Override
    public String visit(RolloutStarted e) {
        return "rollout " + e.rolloutId() + " of " + e.artifact() + " to " + e.deploymentSet() + " started";
    }

    @Override
    public String visit(HostClaimed e) {
        return e.hostId() + " claimed a slot in " + e.rolloutId();
    }

    @Override
    public String visit(HostDrained e) {
        return e.hostId() + " drained" + (e.clean() ? "" : " (cut short at the drain bound)");
    }

    @Override
    public String visit(HostSwitched e) {
        return e.hostId() + " switched from " + e.fromArtifact() + " to " + e.toArtifact();
    }

    @Override
    public String visit(HostHealthy e) {
        return e.hostId() + " is healthy in " + e.rolloutId();
    }

    @Override
    public String visit(HostFailed e) {
        return e.hostId() + " failed in " + e.rolloutId() + ": " + e.reason() + " (reported by " + e.reportedBy() + ")";
    }

    @Override
    public String visit(GateReached e) {
        return "rollout " + e.rolloutId() + " waits at its gate for an operator's approval of batch " + (e.batch() + 1)
                + " after the canaries (" + (e.batch() == 0 ? "its canaries are" : "the batch before is") + " done)";
    }

    @Override
    public String visit(GateApproved e) {
        return "rollout " + e.rolloutId() + " approved past its gate (batch " + (e.batch() + 1) + ") by "
                + e.approvedBy() + ": " + e.reason();
    }

    @Override
    public String visit(GateOverdue e) {
        return "rollout " + e.rolloutId() + " is past its approval deadline by " + e.reportedBy() + "'s clock";
    }

    @Override
    public String visit(PrerequisiteMet e) {
        return "rollout " + e.rolloutId() + " may follow " + e.after().split("@", 2)[0] + ": its rollout "
                + e.completedRolloutId() + " of " + e.recipe() + " completed (seen by " + e.reportedBy() + ")";
    }

    @Override
    public String visit(WindowOverridden e) {
        return "rollout " + e.rolloutId() + " goes on outside its deployment windows, overridden by "
                + e.overriddenBy() + ": " + e.reason();
    }

    @Override
    public String visit(WindowOpened e) {
        return "rollout " + e.rolloutId() + "'s next deployment window is open by " + e.reportedBy() + "'s clock";
    }

    @Override
    public String visit(WindowOverrideRequested e) {
        return e.requestedBy() + " asked to let " + e.deploymentSet() + "'s rollout " + e.rolloutId()
                + " go on outside its deployment windows: " + e.reason();
    }

    @Override
    public String visit(ApprovalRequested e) {
        return e.requestedBy() + " asked to approve " + e.deploymentSet() + "'s rollout " + e.rolloutId() + ": "
                + e.reason();
    }

    @Override
    public String visit(HookRan e) {
        return e.hostId() + " ran its " + e.hook() + " hook in " + e.rolloutId() + ": exit " + e.exitCode() + " in "
                + e.millis() + " ms";
    }

    @Override
    public String visit(HostOverdue e) {
        return e.hostId() + " is overdue in " + e.rolloutId() + " by " + e.reportedBy() + "'s clock: " + e.reason();
    }

    @Override
    public String visit(RolloutPaused e) {
        return e.deploymentSet() + " paused by " + e.pausedBy() + ": " + e.reason() + " (no host takes a new "
                + "version until it is resumed)";
    }

    @Override
    public String visit(RolloutResumed e) {
        return e.deploymentSet() + " resumed by " + e.resumedBy();
    }

    @Override
    public String visit(HoldPlaced e) {
        return e.deploymentSet() + " held by " + e.name() + " (" + e.placedBy() + ": " + e.reason() + ") for up to "
                + e.until() + ", then " + (HoldPlaced.FAIL.equals(e.onExpiry()) ? "the rollout fails"
                        : "it is released");
    }

    @Override
    public String visit(HoldReleased e) {
        return e.deploymentSet() + "'s hold " + e.name() + " released by " + e.releasedBy();
    }

    @Override
    public String visit(HoldOverdue e) {
        return e.deploymentSet() + "'s hold " + e.name() + " is past its deadline by " + e.reportedBy() + "'s clock";
    }

    @Override
    public String visit(RolloutCompleted e) {
        return "rollout " + e.rolloutId() + " completed";
    }

    @Override
    public String visit(RolloutAborted e) {
        return "rollout " + e.rolloutId() + " aborted: " + e.reason();
    }

    @Override
    public String visit(RollbackRequested e) {
        return e.requestedBy() + " asked to roll " + e.deploymentSet() + " back: " + e.reason();
    }

    @Override
    public String visit(PromoteRequested e) {
        return e.requestedBy() + " asked to promote " + e.recipe() + " to " + e.deploymentSet() + "/" + e.channel();
    }

    @Override
    public String visit(PauseRequested e) {
        return e.requestedBy() + " asked to pause " + e.deploymentSet() + ": " + e.reason();
    }

    @Override
    public String visit(ResumeRequested e) {
        return e.requestedBy() + " asked to resume " + e.deploymentSet();
    }

    @Override
    public String visit(HoldRequested e) {
        return e.requestedBy() + " asked to hold " + e.deploymentSet() + " as " + e.name() + ": " + e.reason();
    }

    @Override
    public String visit(HoldReleaseRequested e) {
        return e.requestedBy() + " asked to release " + e.deploymentSet() + "'s hold " + e.name();
    }

    @Override
    public String visit(RemoveHostRequested e) {
        return e.requestedBy() + " asked to take " + e.hostId() + " out of " + e.deploymentSet() + ": " + e.reason();
    }

    @Override
    public String visit(RevokeRequested e) {
        return e.requestedBy() + " asked to revoke " + e.recipe() + " on " + e.deploymentSet() + ": " + e.reason();
    }

    @Override
    public String visit(SetCheckpointed e) {
        return "a member of " + e.deploymentSet() + " checkpointed its log at offset " + e.offset();
    }
}
