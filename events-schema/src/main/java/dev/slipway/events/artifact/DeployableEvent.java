package dev.slipway.events.artifact;

import dev.slipway.events.SlipwayEvent;

/**
 * The events of {@code slipway.deployables}: the store's flags and its signed channel state. Sealed, with a visitor
 * that has a method for each: code that dispatches on them implements {@link Visitor}, so a new type fails to
 * compile where it is not handled.
 */
public sealed interface DeployableEvent extends SlipwayEvent
        permits ArtifactDeployable, ArtifactRevoked, ChannelStateSigned {

    <R> R accept(Visitor<R> visitor);

    @Override
    default <R> R accept(SlipwayEvent.Visitor<R> visitor) {
        return accept((Visitor<R>) visitor);
    }

    /** One method for each type of event this interface permits. */
    interface Visitor<R> {
        R visit(ArtifactDeployable event);

        R visit(ArtifactRevoked event);

        R visit(ChannelStateSigned event);
    }
}
