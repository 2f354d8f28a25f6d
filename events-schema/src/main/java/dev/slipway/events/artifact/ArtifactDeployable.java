package dev.slipway.events.artifact;

import dev.slipway.events.DeploymentSetEvent;

/**
 * The store flagged a recipe deployable on a channel. The recipe is the deployable thing; the artifact is
 * what that recipe built to. Topic {@code slipway.deployables}, key: deployment set.
 */
public record ArtifactDeployable(String deploymentSet, String channel, String recipe, String artifact, String flaggedBy)
        implements DeploymentSetEvent, DeployableEvent {
    public static final String TYPE = "dev.slipway.artifact.deployable.v1";

    @Override
    public <R> R accept(DeployableEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
