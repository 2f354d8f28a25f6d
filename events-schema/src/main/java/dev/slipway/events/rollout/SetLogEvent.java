package dev.slipway.events.rollout;

import dev.slipway.events.DeploymentSetEvent;
import dev.slipway.events.SlipwayEvent;

/**
 * The events of {@code slipway.rollouts}: a deployment set's coordination log, every entry about one set. Sealed,
 * with a visitor that has a method for each: code that dispatches on them implements {@link Visitor}, so a new type
 * fails to compile where it is not handled.
 */
public sealed interface SetLogEvent extends DeploymentSetEvent
        permits HostJoined, HostLeft, RolloutStarted, HostClaimed, HostDrained, HostSwitched, HostHealthy,
                HostFailed, HostOverdue, HookRan, RolloutPaused, RolloutResumed, HoldPlaced, HoldReleased,
                HoldOverdue, GateReached, GateApproved, GateOverdue, WindowOverridden, WindowOpened, PrerequisiteMet,
                RolloutCompleted, RolloutAborted, SetCheckpointed, RollbackRequested {

    <R> R accept(Visitor<R> visitor);

    @Override
    default <R> R accept(SlipwayEvent.Visitor<R> visitor) {
        return accept((Visitor<R>) visitor);
    }

    /** One method for each type of event this interface permits. */
    interface Visitor<R> {
        R visit(HostJoined event);

        R visit(HostLeft event);

        R visit(RolloutStarted event);

        R visit(HostClaimed event);

        R visit(HostDrained event);

        R visit(HostSwitched event);

        R visit(HostHealthy event);

        R visit(HostFailed event);

        R visit(HostOverdue event);

        R visit(HookRan event);

        R visit(RolloutPaused event);

        R visit(RolloutResumed event);

        R visit(HoldPlaced event);

        R visit(HoldReleased event);

        R visit(HoldOverdue event);

        R visit(GateReached event);

        R visit(GateApproved event);

        R visit(GateOverdue event);

        R visit(WindowOverridden event);

        R visit(WindowOpened event);

        R visit(PrerequisiteMet event);

        R visit(RolloutCompleted event);

        R visit(RolloutAborted event);

        R visit(SetCheckpointed event);

        R visit(RollbackRequested event);
    }
}
