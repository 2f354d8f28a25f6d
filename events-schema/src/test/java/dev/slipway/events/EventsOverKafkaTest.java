package dev.slipway.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.EventJson;
import dev.slipway.events.wire.EventSchemas;
import dev.slipway.testsupport.RealParts;
import dev.slipway.testsupport.kafka.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every event type of the catalogue crosses a real Kafka broker and comes back equal, in CloudEvents binary
 * mode, keyed as the design says, with a body that its JSON Schema accepts.
 */
@ExtendWith(RealParts.class)
class EventsOverKafkaTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final CloudEventCodec codec = new CloudEventCodec();

    @BeforeAll
    static void createTheCatalogueTopics(KafkaBroker kafka) throws Exception {
        // Several partitions, so a wrong key would scatter a set's events and the key check below matters.
        try (Admin admin = kafka.admin()) {
            if (!admin.listTopics().names().get().contains(Topics.BUILDS)) {
                kafka.createTopics(Stream.concat(Topics.ALL.stream(), Stream.of(Topics.deadLetter(Topics.BUILDS)))
                        .collect(Collectors.toMap(t -> t, t -> 3)));
            }
        }
    }

    static Stream<SlipwayEvent> samples() {
        return EventSamples.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void crossesTheBrokerIntact(SlipwayEvent sample, KafkaBroker kafka) throws Exception {
        EventKind kind = EventCatalog.kindOf(sample.getClass());
        for (String topic : kind.topics()) {
            Event<?> sent = Event.of("/events-schema/test", sample);
            try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
                producer.send(codec.encode(topic, sent)).get();
            }

            ConsumerRecord<String, byte[]> received = kafka.awaitRecord(topic,
                    r -> sent.id().equals(header(r.headers(), CloudEventCodec.HEADER_ID)), DEADLINE);

            assertEquals(sent, codec.decode(received));
            assertEquals(expectedKey(sample), received.key());
            assertEquals("1.0", header(received.headers(), "ce_specversion"));
            assertEquals(kind.type(), header(received.headers(), "ce_type"));
            assertEquals("/events-schema/test", header(received.headers(), "ce_source"));
            assertEquals(sent.time().toString(), header(received.headers(), "ce_time"));
            assertEquals("application/json", header(received.headers(), "content-type"));
            JsonNode body = EventJson.mapper().readTree(received.value());
            assertEquals(List.of(), EventSchemas.instance().violations(kind, body));
        }
    }

    @Test
    void aPoisonRecordReachesTheDeadLetterTopicWithItsReason(KafkaBroker kafka) throws Exception {
        String marker = "poison-" + System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.BUILDS, marker, "{not json".getBytes(UTF_8))).get();
        }
        ConsumerRecord<String, byte[]> poison = kafka.awaitRecord(Topics.BUILDS, r -> marker.equals(r.key()), DEADLINE);
        EventDecodingException error = assertThrows(EventDecodingException.class, () -> codec.decode(poison));
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(DeadLetters.of(poison, "events-test", error)).get();
        }

        ConsumerRecord<String, byte[]> letter =
                kafka.awaitRecord(Topics.deadLetter(Topics.BUILDS), r -> marker.equals(r.key()), DEADLINE);

        assertEquals("missing-attribute", header(letter.headers(), DeadLetters.HEADER_REASON));
        assertEquals("{not json", new String(letter.value(), UTF_8));
        assertEquals(Long.toString(poison.offset()), header(letter.headers(), DeadLetters.HEADER_OFFSET));
        assertEquals("events-test", header(letter.headers(), DeadLetters.HEADER_CONSUMER));
    }

    private static String expectedKey(SlipwayEvent sample) {
        return switch (EventCatalog.kindOf(sample.getClass()).topics().iterator().next()) {
            case Topics.BUILDS -> EventSamples.RECIPE;
            case Topics.ARTIFACTS -> EventSamples.ARTIFACT;
            case Topics.AGENTS -> "host-1";
            default -> EventSamples.SET;
        };
    }

    private static String header(Headers headers, String name) {
        return headers.lastHeader(name) == null ? null : new String(headers.lastHeader(name).value(), UTF_8);
    }
}
