package dev.slipway.events.recipe;

import java.util.List;

/** A recipe that is not JSON, breaks its schema, or is not canonical; the message lists every problem. */
public final class InvalidRecipeException extends Exception {

    private final List<String> problems;

    public InvalidRecipeException(List<String> problems) {
        super("invalid recipe: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
