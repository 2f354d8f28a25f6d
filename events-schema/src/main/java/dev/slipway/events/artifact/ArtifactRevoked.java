package dev.slipway.events.artifact;

import dev.slipway.events.DeploymentSetEvent;

/** The store revoked a recipe: no agent may install its artifact any more. Key: deployment set. */
public record ArtifactRevoked(String deploymentSet, String recipe, String artifact, String reason, String revokedBy)
        implements DeploymentSetEvent, DeployableEvent {
    public static final String TYPE = "dev.slipway.artifact.revoked.v1";

    @Override
    public <R> R accept(DeployableEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
