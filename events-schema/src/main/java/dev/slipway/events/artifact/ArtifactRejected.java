package dev.slipway.events.artifact;

import dev.slipway.events.SlipwayEvent;

/** The store refused to flag a built artifact (bad digest, signature that does not verify, ...). */
public record ArtifactRejected(String artifact, String recipe, String reason) implements SlipwayEvent {
    public static final String TYPE = "dev.slipway.artifact.rejected.v1";

    @Override
    public String key() {
        return artifact;
    }
}
