package dev.slipway.events.artifact;

import dev.slipway.events.SlipwayEvent;

/**
 * The events of {@code slipway.artifacts}: what builders built, and what the store refused. Sealed, with a visitor
 * that has a method for each: code that dispatches on them implements {@link Visitor}, so a new type fails to
 * compile where it is not handled.
 */
public sealed interface ArtifactEvent extends SlipwayEvent
        permits ArtifactBuilt, ArtifactRejected {

    <R> R accept(Visitor<R> visitor);

    @Override
    default <R> R accept(SlipwayEvent.Visitor<R> visitor) {
        return accept((Visitor<R>) visitor);
    }

    /** One method for each type of event this interface permits. */
    interface Visitor<R> {
        R visit(ArtifactBuilt event);

        R visit(ArtifactRejected event);
    }
}
