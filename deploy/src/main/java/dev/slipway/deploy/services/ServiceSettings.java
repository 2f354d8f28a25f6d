package dev.slipway.deploy.services;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One service process's settings (its {@code -D} properties). Slipway's own keys are named through the service's
 * {@code @ConfigMapping} interfaces ({@link ConfigKeys}), so a key renamed in a service breaks this module's build
 * instead of a run of the stack; Kafka's and Quarkus's keys are spelled as their documentation spells them.
 */
public final class ServiceSettings {

    private final Map<String, String> values = new LinkedHashMap<>();

    /** {@code set(AgentConfig.class, AgentConfig::canary, true)}; for a map's entry, {@code c -> c.serviceEnv().get("PORT")}. */
    public <C> ServiceSettings set(Class<C> mapping, Function<C, ?> property, Object value) {
        values.put(ConfigKeys.of(mapping, property), String.valueOf(value));
        return this;
    }

    /** A key that is not Slipway's ({@code kafka.bootstrap.servers}, {@code quarkus.datasource.*}). */
    public ServiceSettings external(String key, Object value) {
        values.put(key, String.valueOf(value));
        return this;
    }

    /**
     * Settings a user gave by name ({@code --agent-property}), each checked to be a key of {@code mapping}.
     *
     * @throws IllegalArgumentException naming the first key the mapping does not have
     */
    public ServiceSettings given(Class<?> mapping, Map<String, String> named) {
        named.forEach((key, value) -> {
            if (!ConfigKeys.declares(mapping, key)) {
                throw new IllegalArgumentException(key + " is not a setting of " + mapping.getSimpleName()
                        + " (docs/configuration.md lists them)");
            }
            values.put(key, value);
        });
        return this;
    }

    /** Every setting of {@code others}, replacing any of the same key. */
    public ServiceSettings putAll(ServiceSettings others) {
        values.putAll(others.values);
        return this;
    }

    public ServiceSettings copy() {
        return new ServiceSettings().putAll(this);
    }

    public Map<String, String> asMap() {
        return Map.copyOf(values);
    }
}
