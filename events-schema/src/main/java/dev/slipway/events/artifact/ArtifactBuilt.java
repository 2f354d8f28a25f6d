package dev.slipway.events.artifact;

import java.util.Map;

/**
 * A recipe built to an artifact. Topic {@code slipway.artifacts}, key: artifact digest.
 *
 * @param inputs     input name in the recipe to the digest that was mounted under it
 * @param provenance digest of the signed in-toto statement (a DSSE envelope) in the store
 * @param signature  the envelope's Ed25519 signature, base64, so a reader can check it before fetching
 * @param cacheHit   true when the action cache answered and nothing ran
 */
public record ArtifactBuilt(
        String artifact,
        String recipe,
        String deploymentSet,
        Map<String, String> inputs,
        String provenance,
        String signature,
        String log,
        String builder,
        boolean hermetic,
        boolean cacheHit) implements ArtifactEvent {
    public static final String TYPE = "dev.slipway.artifact.built.v1";

    public ArtifactBuilt {
        inputs = Map.copyOf(inputs);
    }

    @Override
    public String key() {
        return artifact;
    }

    @Override
    public <R> R accept(ArtifactEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
