package dev.slipway.events.build;

import dev.slipway.events.SlipwayEvent;

/** A builder took the request and is running it; {@code hermetic} is false only in an explicitly unsandboxed mode. */
public record BuildStarted(String recipe, String builder, boolean hermetic) implements SlipwayEvent {
    public static final String TYPE = "dev.slipway.build.started.v1";

    @Override
    public String key() {
        return recipe;
    }
}
