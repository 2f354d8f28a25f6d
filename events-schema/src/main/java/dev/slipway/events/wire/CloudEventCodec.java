package dev.slipway.events.wire;

import static dev.slipway.events.wire.EventDecodingException.Reason.INVALID_BODY;
import static dev.slipway.events.wire.EventDecodingException.Reason.KEY_MISMATCH;
import static dev.slipway.events.wire.EventDecodingException.Reason.MALFORMED_ATTRIBUTE;
import static dev.slipway.events.wire.EventDecodingException.Reason.MALFORMED_BODY;
import static dev.slipway.events.wire.EventDecodingException.Reason.MISSING_ATTRIBUTE;
import static dev.slipway.events.wire.EventDecodingException.Reason.UNKNOWN_TYPE;
import static dev.slipway.events.wire.EventDecodingException.Reason.UNSUPPORTED_CONTENT_TYPE;
import static dev.slipway.events.wire.EventDecodingException.Reason.UNSUPPORTED_SPEC_VERSION;
import static dev.slipway.events.wire.EventDecodingException.Reason.WRONG_TOPIC;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.events.Event;
import dev.slipway.events.EventCatalog;
import dev.slipway.events.EventKind;
import dev.slipway.events.SlipwayEvent;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes and reads Slipway events as Kafka records in CloudEvents 1.0 binary content mode: attributes in
 * {@code ce_*} headers, the payload as the JSON value, the payload's key as the record key.
 *
 * <p>Both directions check the body against the type's JSON Schema: a producer cannot emit an event that
 * breaks the contract, and a consumer gets an {@link EventDecodingException} naming what was wrong instead of
 * a half-read event. Stateless and thread-safe; decoding parses and validates JSON, so it is CPU work, fine on
 * a consumer thread, not for a hot event-loop path with large bodies.
 */
public final class CloudEventCodec {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";

    public static final String HEADER_SPEC_VERSION = "ce_specversion";
    public static final String HEADER_ID = "ce_id";
    public static final String HEADER_SOURCE = "ce_source";
    public static final String HEADER_TYPE = "ce_type";
    public static final String HEADER_TIME = "ce_time";
    /** The Kafka protocol binding carries {@code datacontenttype} in this header, not in a {@code ce_} one. */
    public static final String HEADER_CONTENT_TYPE = "content-type";

    private final ObjectMapper json = EventJson.mapper();
    private final EventSchemas schemas = EventSchemas.instance();

    /** The record for an event on its kind's only topic. */
    public ProducerRecord<String, byte[]> encode(Event<?> event) {
        return encode(EventCatalog.kindOf(event.data().getClass()).homeTopic(), event);
    }

    /**
     * The record for an event on {@code topic}.
     *
     * @throws IllegalArgumentException when the event's type does not travel on that topic, or its body
     *                                  breaks the type's schema (a bug in the emitter, never sent)
     */
    public ProducerRecord<String, byte[]> encode(String topic, Event<?> event) {
        EventKind kind = EventCatalog.kindOf(event.data().getClass());
        if (!kind.topics().contains(topic)) {
            throw new IllegalArgumentException(kind.type() + " does not travel on " + topic + ", only on " + kind.topics());
        }
        JsonNode body = json.valueToTree(event.data());
        List<String> violations = schemas.violations(kind, body);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("refusing to emit an invalid " + kind.type() + ": " + violations);
        }
        Headers headers = new RecordHeaders();
        put(headers, HEADER_SPEC_VERSION, SPEC_VERSION);
        put(headers, HEADER_ID, event.id());
        put(headers, HEADER_SOURCE, event.source());
        put(headers, HEADER_TYPE, kind.type());
        put(headers, HEADER_TIME, event.time().toString());
        put(headers, HEADER_CONTENT_TYPE, CONTENT_TYPE);
        return new ProducerRecord<>(topic, null, event.key(), toBytes(body), headers);
    }

    /**
     * The event a consumed record carries, checked against its topic and key as well as its schema.
     *
     * @throws EventDecodingException when the record is not a valid Slipway event for that topic
     */
    public Event<?> decode(ConsumerRecord<String, byte[]> record) throws EventDecodingException {
        Event<?> event = decode(record.headers(), record.value());
        EventKind kind = EventCatalog.kindOf(event.data().getClass());
        if (!kind.topics().contains(record.topic())) {
            throw new EventDecodingException(WRONG_TOPIC,
                    kind.type() + " does not belong on " + record.topic() + "; it travels on " + kind.topics());
        }
        if (!Objects.equals(record.key(), event.key())) {
            throw new EventDecodingException(KEY_MISMATCH, "record key '" + record.key() + "' does not match the "
                    + kind.type() + " key '" + event.key() + "': the event would be ordered with the wrong peers");
        }
        return event;
    }

    /**
     * The event carried by these headers and body, checked against its schema only.
     *
     * @throws EventDecodingException when the headers or the body are not a valid Slipway event
     */
    public Event<?> decode(Headers headers, byte[] body) throws EventDecodingException {
        String specVersion = required(headers, HEADER_SPEC_VERSION);
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new EventDecodingException(UNSUPPORTED_SPEC_VERSION,
                    "CloudEvents spec version '" + specVersion + "' is not supported; expected '" + SPEC_VERSION + "'");
        }
        String contentType = optional(headers, HEADER_CONTENT_TYPE);
        if (contentType != null && !contentType.startsWith(CONTENT_TYPE)) {
            throw new EventDecodingException(UNSUPPORTED_CONTENT_TYPE,
                    "content type '" + contentType + "' is not supported; expected '" + CONTENT_TYPE + "'");
        }
        String id = required(headers, HEADER_ID);
        String source = required(headers, HEADER_SOURCE);
        String type = required(headers, HEADER_TYPE);
        Instant time = parseTime(required(headers, HEADER_TIME));
        EventKind kind = EventCatalog.kindOf(type).orElseThrow(() -> new EventDecodingException(UNKNOWN_TYPE,
                "unknown event type '" + type + "': this reader knows " + EventCatalog.kinds().size()
                        + " types of the dev.slipway catalogue; is the producer newer than this consumer?"));
        JsonNode tree = parseBody(type, body);
        List<String> violations = schemas.violations(kind, tree);
        if (!violations.isEmpty()) {
            throw new EventDecodingException(INVALID_BODY, "body of " + type + " " + id + " breaks its schema: "
                    + String.join("; ", violations));
        }
        return new Event<>(id, source, time, bind(kind, id, tree));
    }

    private JsonNode parseBody(String type, byte[] body) throws EventDecodingException {
        if (body == null || body.length == 0) {
            throw new EventDecodingException(MALFORMED_BODY, "record of type " + type + " has no body; expected a JSON object");
        }
        try {
            JsonNode tree = json.readTree(body);
            if (tree == null || !tree.isObject()) {
                throw new EventDecodingException(MALFORMED_BODY, "body of " + type + " is not a JSON object");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw new EventDecodingException(MALFORMED_BODY,
                    "body of " + type + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new EventDecodingException(MALFORMED_BODY, "body of " + type + " cannot be read: " + e.getMessage(), e);
        }
    }

    private SlipwayEvent bind(EventKind kind, String id, JsonNode tree) throws EventDecodingException {
        try {
            return json.treeToValue(tree, kind.recordClass());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // The schema passed but the record refused it: the schema and the record disagree.
            throw new EventDecodingException(INVALID_BODY,
                    "body of " + kind.type() + " " + id + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static Instant parseTime(String time) throws EventDecodingException {
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            throw new EventDecodingException(MALFORMED_ATTRIBUTE,
                    "header " + HEADER_TIME + " '" + time + "' is not an RFC 3339 timestamp", e);
        }
    }

    private static String required(Headers headers, String name) throws EventDecodingException {
        String value = optional(headers, name);
        if (value == null || value.isBlank()) {
            throw new EventDecodingException(MISSING_ATTRIBUTE,
                    "required CloudEvents header " + name + " is missing or empty");
        }
        return value;
    }

    private static String optional(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), UTF_8);
    }

    private static void put(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(UTF_8));
    }

    private byte[] toBytes(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
