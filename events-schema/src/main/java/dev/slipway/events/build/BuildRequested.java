package dev.slipway.events.build;


/** Someone (a CI job, an operator) asks for the recipe to be built. Topic {@code slipway.builds}, key: recipe. */
public record BuildRequested(String recipe, String requestedBy) implements BuildEvent {
    public static final String TYPE = "dev.slipway.build.requested.v1";

    @Override
    public String key() {
        return recipe;
    }

    @Override
    public <R> R accept(BuildEvent.Visitor<R> visitor) {
        return visitor.visit(this);
    }
}
