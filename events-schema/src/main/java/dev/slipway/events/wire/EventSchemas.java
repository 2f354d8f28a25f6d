package dev.slipway.events.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.slipway.events.EventCatalog;
import dev.slipway.events.EventKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The JSON Schema (draft 2020-12) of every event type, compiled once from the classpath. Thread-safe.
 * The schemas are the contract for non-Java producers and consumers; the codec checks bodies against them
 * both ways, so nothing that breaks the contract is emitted or accepted.
 */
public final class EventSchemas {

    private static final EventSchemas INSTANCE = new EventSchemas();

    private final Map<String, JsonSchema> byType;

    private EventSchemas() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        byType = EventCatalog.kinds().stream()
                .collect(Collectors.toUnmodifiableMap(EventKind::type, kind -> load(factory, config, kind)));
    }

    public static EventSchemas instance() {
        return INSTANCE;
    }

    /** What is wrong with {@code body} as an event of {@code kind}; empty when it is valid. */
    public List<String> violations(EventKind kind, JsonNode body) {
        return byType.get(kind.type()).validate(body).stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .toList();
    }

    private static JsonSchema load(JsonSchemaFactory factory, SchemaValidatorsConfig config, EventKind kind) {
        try (InputStream in = EventSchemas.class.getResourceAsStream(kind.schemaResource())) {
            if (in == null) {
                throw new IllegalStateException("no JSON Schema for " + kind.type() + " at " + kind.schemaResource());
            }
            return factory.getSchema(in, config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + kind.schemaResource(), e);
        }
    }

}
