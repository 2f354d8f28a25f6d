package dev.slipway.events.agent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What an agent last learned of its service's health. Wire names are explicit, never enum names. */
public enum Health {
    UNKNOWN("unknown"),
    STARTING("starting"),
    HEALTHY("healthy"),
    UNHEALTHY("unhealthy");

    private final String wireName;

    Health(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static Health fromWireName(String wireName) {
        for (Health health : values()) {
            if (health.wireName.equals(wireName)) {
                return health;
            }
        }
        throw new IllegalArgumentException("unknown health '" + wireName + "'");
    }
}
