package dev.slipway.events;

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
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.rollout.SetCheckpointed;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The one registry from CloudEvents {@code type} to record class (and back), with each type's topics. */
public final class EventCatalog {

    private static final List<EventKind> KINDS = List.of(
            kind(BuildRequested.TYPE, BuildRequested.class, Topics.BUILDS),
            kind(BuildStarted.TYPE, BuildStarted.class, Topics.BUILDS),
            kind(BuildFailed.TYPE, BuildFailed.class, Topics.BUILDS),
            kind(ArtifactBuilt.TYPE, ArtifactBuilt.class, Topics.ARTIFACTS),
            kind(ArtifactRejected.TYPE, ArtifactRejected.class, Topics.ARTIFACTS),
            kind(ArtifactDeployable.TYPE, ArtifactDeployable.class, Topics.DEPLOYABLES),
            kind(ArtifactRevoked.TYPE, ArtifactRevoked.class, Topics.DEPLOYABLES),
            kind(ChannelStateSigned.TYPE, ChannelStateSigned.class, Topics.DEPLOYABLES),
            kind(RolloutStarted.TYPE, RolloutStarted.class, Topics.ROLLOUTS),
            kind(HostJoined.TYPE, HostJoined.class, Topics.ROLLOUTS),
            kind(HostLeft.TYPE, HostLeft.class, Topics.ROLLOUTS),
            kind(HostClaimed.TYPE, HostClaimed.class, Topics.ROLLOUTS),
            kind(HostDrained.TYPE, HostDrained.class, Topics.ROLLOUTS),
            kind(HostSwitched.TYPE, HostSwitched.class, Topics.ROLLOUTS),
            kind(HostHealthy.TYPE, HostHealthy.class, Topics.ROLLOUTS),
            kind(HostFailed.TYPE, HostFailed.class, Topics.ROLLOUTS),
            kind(HostOverdue.TYPE, HostOverdue.class, Topics.ROLLOUTS),
            kind(HookRan.TYPE, HookRan.class, Topics.ROLLOUTS),
            kind(RolloutPaused.TYPE, RolloutPaused.class, Topics.ROLLOUTS),
            kind(RolloutResumed.TYPE, RolloutResumed.class, Topics.ROLLOUTS),
            kind(HoldPlaced.TYPE, HoldPlaced.class, Topics.ROLLOUTS),
            kind(HoldReleased.TYPE, HoldReleased.class, Topics.ROLLOUTS),
            kind(HoldOverdue.TYPE, HoldOverdue.class, Topics.ROLLOUTS),
            kind(GateReached.TYPE, GateReached.class, Topics.ROLLOUTS),
            kind(GateApproved.TYPE, GateApproved.class, Topics.ROLLOUTS),
            kind(GateOverdue.TYPE, GateOverdue.class, Topics.ROLLOUTS),
            kind(WindowOverridden.TYPE, WindowOverridden.class, Topics.ROLLOUTS),
            kind(WindowOpened.TYPE, WindowOpened.class, Topics.ROLLOUTS),
            kind(PrerequisiteMet.TYPE, PrerequisiteMet.class, Topics.ROLLOUTS),
            kind(RolloutCompleted.TYPE, RolloutCompleted.class, Topics.ROLLOUTS),
            kind(RolloutAborted.TYPE, RolloutAborted.class, Topics.ROLLOUTS),
            kind(SetCheckpointed.TYPE, SetCheckpointed.class, Topics.ROLLOUTS),
            kind(RollbackRequested.TYPE, RollbackRequested.class, Topics.ROLLOUTS, Topics.COMMANDS),
            kind(AgentState.TYPE, AgentState.class, Topics.AGENTS),
            kind(PromoteRequested.TYPE, PromoteRequested.class, Topics.COMMANDS),
            kind(PauseRequested.TYPE, PauseRequested.class, Topics.COMMANDS),
            kind(HoldRequested.TYPE, HoldRequested.class, Topics.COMMANDS),
            kind(HoldReleaseRequested.TYPE, HoldReleaseRequested.class, Topics.COMMANDS),
            kind(ApprovalRequested.TYPE, ApprovalRequested.class, Topics.COMMANDS),
            kind(WindowOverrideRequested.TYPE, WindowOverrideRequested.class, Topics.COMMANDS),
            kind(RemoveHostRequested.TYPE, RemoveHostRequested.class, Topics.COMMANDS),
            kind(ResumeRequested.TYPE, ResumeRequested.class, Topics.COMMANDS),
            kind(RevokeRequested.TYPE, RevokeRequested.class, Topics.COMMANDS));

    private static final Map<String, EventKind> BY_TYPE =
            KINDS.stream().collect(Collectors.toUnmodifiableMap(EventKind::type, Function.identity()));
    private static final Map<Class<?>, EventKind> BY_CLASS =
            KINDS.stream().collect(Collectors.toUnmodifiableMap(EventKind::recordClass, Function.identity()));

    private EventCatalog() {
    }

    public static List<EventKind> kinds() {
        return KINDS;
    }

    /** The kind registered for a CloudEvents {@code type}, or empty for a type this version does not know. */
    public static Optional<EventKind> kindOf(String type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    /** The kind of a payload class; every {@link SlipwayEvent} record must be registered here. */
    public static EventKind kindOf(Class<?> recordClass) {
        EventKind kind = BY_CLASS.get(recordClass);
        if (kind == null) {
            throw new IllegalArgumentException(recordClass.getName() + " is not registered in EventCatalog");
        }
        return kind;
    }

    private static EventKind kind(String type, Class<? extends SlipwayEvent> recordClass, String... topics) {
        return new EventKind(type, recordClass, Set.of(topics));
    }
}
