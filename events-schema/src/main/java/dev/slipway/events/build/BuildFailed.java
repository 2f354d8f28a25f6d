package dev.slipway.events.build;


/**
 * The build did not produce an artifact.
 *
 * @param reason what went wrong, worded so a person can act on it
 * @param log    digest of the build log in the store; null when the build failed before it had one
 */
public record BuildFailed(String recipe, String builder, String reason, String log, boolean hermetic)
        implements BuildEvent {
    public static final String TYPE = "dev.slipway.build.failed.v1";

    @Override
    public String key() {
        return recipe;
    }

    @Override
    public <R> R accept(BuildEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
