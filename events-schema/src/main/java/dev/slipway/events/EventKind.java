package dev.slipway.events;

import java.util.Set;

/**
 * One entry of the catalogue: a CloudEvents {@code type}, the record that carries it, and the topics it may
 * travel on.
 */
public record EventKind(String type, Class<? extends SlipwayEvent> recordClass, Set<String> topics) {

    public EventKind {
        topics = Set.copyOf(topics);
    }

    /** Classpath location of this type's JSON Schema. */
    public String schemaResource() {
        return "/dev/slipway/events/schema/" + type + ".schema.json";
    }

    /** The topic an event of this kind goes to when the caller names none; only defined for single-topic kinds. */
    public String homeTopic() {
        if (topics.size() != 1) {
            throw new IllegalStateException(type + " travels on " + topics + ": name the topic explicitly");
        }
        return topics.iterator().next();
    }
}
