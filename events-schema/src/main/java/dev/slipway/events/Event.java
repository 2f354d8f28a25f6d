package dev.slipway.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * A CloudEvents 1.0 envelope around one Slipway payload.
 *
 * @param id     unique per event; consumers use it for idempotency
 * @param source the emitting service instance, as a URI reference (e.g. {@code /build-service/host-1})
 * @param time   when the event happened, as the emitter saw it
 * @param data   the payload; its CloudEvents {@code type} comes from {@link EventCatalog}
 */
public record Event<T extends SlipwayEvent>(String id, String source, Instant time, T data) {

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
        if (id.isBlank()) {
            throw new IllegalArgumentException("event id must not be blank");
        }
    }

    /** A new event with a random id, stamped now (to the microsecond, which survives every hop). */
    public static <T extends SlipwayEvent> Event<T> of(String source, T data) {
        return new Event<>(UUID.randomUUID().toString(), source, Instant.now().truncatedTo(ChronoUnit.MICROS), data);
    }

    /**
     * An event caused by {@code cause}, with an id derived from the cause's id and {@code what}: handling the same
     * cause again yields the same id, which readers drop as a duplicate.
     */
    public static <T extends SlipwayEvent> Event<T> causedBy(Event<?> cause, String what, String source, Instant time,
            T data) {
        return new Event<>(idCausedBy(cause, what), source, time, data);
    }

    /** The id {@link #causedBy} gives the event {@code what} of {@code cause}. */
    public static String idCausedBy(Event<?> cause, String what) {
        return idCausedBy(cause.id(), what);
    }

    /** The id {@link #causedBy} gives the event {@code what} of the event with id {@code causeId}. */
    public static String idCausedBy(String causeId, String what) {
        return UUID.nameUUIDFromBytes((causeId + "/" + what).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The CloudEvents {@code type} of the payload, e.g. {@code dev.slipway.build.requested.v1}. */
    public String type() {
        return EventCatalog.kindOf(data.getClass()).type();
    }

    public String key() {
        return data.key();
    }
}
