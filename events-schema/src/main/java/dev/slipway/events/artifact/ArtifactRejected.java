package dev.slipway.events.artifact;


/** The store refused to flag a built artifact (bad digest, signature that does not verify, ...). */
public record ArtifactRejected(String artifact, String recipe, String reason) implements ArtifactEvent {
    public static final String TYPE = "dev.slipway.artifact.rejected.v1";

    @Override
    public String key() {
        return artifact;
    }

    @Override
    public <R> R accept(ArtifactEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
