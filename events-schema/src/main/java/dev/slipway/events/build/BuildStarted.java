package dev.slipway.events.build;


/** A builder took the request and is running it; {@code hermetic} is false only in an explicitly unsandboxed mode. */
public record BuildStarted(String recipe, String builder, boolean hermetic) implements BuildEvent {
    public static final String TYPE = "dev.slipway.build.started.v1";

    @Override
    public String key() {
        return recipe;
    }

    @Override
    public <R> R accept(BuildEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
