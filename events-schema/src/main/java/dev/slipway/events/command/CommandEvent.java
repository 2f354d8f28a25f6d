package dev.slipway.events.command;

import dev.slipway.events.SlipwayEvent;

/**
 * The events of {@code slipway.commands}: what operators ask for (a rollback is also a set-log entry: SetLogEvent).
 * Sealed, with a visitor that has a method for each: code that dispatches on them implements {@link Visitor}, so a
 * new type fails to compile where it is not handled.
 */
public sealed interface CommandEvent extends SlipwayEvent
        permits PromoteRequested, PauseRequested, ResumeRequested, HoldRequested, HoldReleaseRequested,
                ApprovalRequested, WindowOverrideRequested, RemoveHostRequested, RevokeRequested {

    <R> R accept(Visitor<R> visitor);

    @Override
    default <R> R accept(SlipwayEvent.Visitor<R> visitor) {
        return accept((Visitor<R>) visitor);
    }

    /** One method for each type of event this interface permits. */
    interface Visitor<R> {
        R visit(PromoteRequested event);

        R visit(PauseRequested event);

        R visit(ResumeRequested event);

        R visit(HoldRequested event);

        R visit(HoldReleaseRequested event);

        R visit(ApprovalRequested event);

        R visit(WindowOverrideRequested event);

        R visit(RemoveHostRequested event);

        R visit(RevokeRequested event);
    }
}
