package dev.slipway.events.build;

import dev.slipway.events.SlipwayEvent;

/** Someone (a CI job, an operator) asks for the recipe to be built. Topic {@code slipway.builds}, key: recipe. */
public record BuildRequested(String recipe, String requestedBy) implements SlipwayEvent {
    public static final String TYPE = "dev.slipway.build.requested.v1";

    @Override
    public String key() {
        return recipe;
    }
}
