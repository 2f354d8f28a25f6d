package dev.slipway.events.wire;

import static dev.slipway.events.wire.CloudEventCodec.HEADER_ID;
import static dev.slipway.events.wire.CloudEventCodec.HEADER_SPEC_VERSION;
import static dev.slipway.events.wire.CloudEventCodec.HEADER_TIME;
import static dev.slipway.events.wire.CloudEventCodec.HEADER_TYPE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.wire.EventDecodingException.Reason;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The codec's handling of hostile and unexpected records, on records built in memory. */
class CloudEventCodecTest {

    private static final String RECIPE = "sha256:" + "ab".repeat(32);

    private final CloudEventCodec codec = new CloudEventCodec();
    private final ProducerRecord<String, byte[]> valid =
            codec.encode(Event.of("/test", new BuildRequested(RECIPE, "ci:job-1")));

    @Test
    void readsABodyWithFieldsThisVersionDoesNotKnow() throws Exception {
        ObjectNode body = (ObjectNode) EventJson.mapper().readTree(valid.value());
        body.put("priority", "high").putObject("futureBlock").put("x", 1);

        Event<?> event = codec.decode(consumed(Topics.BUILDS, valid.key(), valid.headers(), bytes(body)));

        assertEquals(new BuildRequested(RECIPE, "ci:job-1"), event.data());
    }

    @Test
    void refusesAnUnknownTypeByName() {
        Headers headers = copy(valid.headers());
        headers.remove(HEADER_TYPE);
        headers.add(HEADER_TYPE, "dev.slipway.build.teleported.v1".getBytes(UTF_8));

        EventDecodingException error = refused(consumed(Topics.BUILDS, valid.key(), headers, valid.value()));

        assertEquals(Reason.UNKNOWN_TYPE, error.reason());
        assertTrue(error.getMessage().contains("dev.slipway.build.teleported.v1"), error.getMessage());
    }

    @Test
    void refusesARecordWithoutAnId() {
        Headers headers = copy(valid.headers());
        headers.remove(HEADER_ID);

        EventDecodingException error = refused(consumed(Topics.BUILDS, valid.key(), headers, valid.value()));

        assertEquals(Reason.MISSING_ATTRIBUTE, error.reason());
        assertTrue(error.getMessage().contains(HEADER_ID), error.getMessage());
    }

    @Test
    void refusesABodyThatIsNotJson() {
        byte[] truncated = new String(valid.value(), UTF_8).substring(0, 20).getBytes(UTF_8);

        EventDecodingException error = refused(consumed(Topics.BUILDS, valid.key(), valid.headers(), truncated));

        assertEquals(Reason.MALFORMED_BODY, error.reason());
        assertTrue(error.getMessage().contains("not valid JSON"), error.getMessage());
    }

    @Test
    void refusesABodyThatBreaksItsSchemaAndSaysWhere() throws Exception {
        ObjectNode body = (ObjectNode) EventJson.mapper().readTree(valid.value());
        body.put("recipe", "sha256:NOT-HEX");

        EventDecodingException error = refused(consumed(Topics.BUILDS, valid.key(), valid.headers(), bytes(body)));

        assertEquals(Reason.INVALID_BODY, error.reason());
        assertTrue(error.getMessage().contains("recipe"), error.getMessage());
    }

    @Test
    void refusesABodyMissingARequiredField() throws Exception {
        ObjectNode body = (ObjectNode) EventJson.mapper().readTree(valid.value());
        body.remove("requestedBy");

        EventDecodingException error = refused(consumed(Topics.BUILDS, valid.key(), valid.headers(), bytes(body)));

        assertEquals(Reason.INVALID_BODY, error.reason());
        assertTrue(error.getMessage().contains("requestedBy"), error.getMessage());
    }

    @Test
    void refusesAnotherSpecVersionAndABadTime() {
        Headers otherSpec = copy(valid.headers());
        otherSpec.remove(HEADER_SPEC_VERSION);
        otherSpec.add(HEADER_SPEC_VERSION, "0.3".getBytes(UTF_8));
        Headers badTime = copy(valid.headers());
        badTime.remove(HEADER_TIME);
        badTime.add(HEADER_TIME, "yesterday".getBytes(UTF_8));

        assertEquals(Reason.UNSUPPORTED_SPEC_VERSION,
                refused(consumed(Topics.BUILDS, valid.key(), otherSpec, valid.value())).reason());
        assertEquals(Reason.MALFORMED_ATTRIBUTE,
                refused(consumed(Topics.BUILDS, valid.key(), badTime, valid.value())).reason());
    }

    @Test
    void refusesAnEventOnATopicItDoesNotTravelOn() {
        EventDecodingException error = refused(consumed(Topics.ROLLOUTS, valid.key(), valid.headers(), valid.value()));

        assertEquals(Reason.WRONG_TOPIC, error.reason());
    }

    @Test
    void refusesARecordKeyedForOtherPeers() {
        EventDecodingException error = refused(consumed(Topics.BUILDS, "another-key", valid.headers(), valid.value()));

        assertEquals(Reason.KEY_MISMATCH, error.reason());
    }

    @Test
    void neverEmitsAnEventThatBreaksItsSchema() {
        Event<BuildRequested> bad = Event.of("/test", new BuildRequested("not-a-digest", "ci"));

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> codec.encode(bad));

        assertTrue(error.getMessage().contains("recipe"), error.getMessage());
    }

    @Test
    void aTypeOnTwoTopicsMustBeGivenItsTopic() {
        Event<RollbackRequested> rollback = Event.of("/test", new RollbackRequested("set-a", null, "operator", "why"));

        assertThrows(IllegalStateException.class, () -> codec.encode(rollback));
        assertEquals(Topics.COMMANDS, codec.encode(Topics.COMMANDS, rollback).topic());
        assertThrows(IllegalArgumentException.class, () -> codec.encode(Topics.BUILDS, rollback));
    }

    @Test
    void aDeadLetterKeepsTheOriginalAndSaysWhy() {
        ConsumerRecord<String, byte[]> poison = consumed(Topics.BUILDS, valid.key(), valid.headers(), new byte[] {'{'});
        EventDecodingException error = refused(poison);

        ProducerRecord<String, byte[]> letter = DeadLetters.of(poison, "events-test", error);

        assertEquals("slipway.builds.dlq", letter.topic());
        assertEquals(poison.key(), letter.key());
        assertEquals("{", new String(letter.value(), UTF_8));
        assertEquals("malformed-body", header(letter.headers(), DeadLetters.HEADER_REASON));
        assertEquals(error.getMessage(), header(letter.headers(), DeadLetters.HEADER_MESSAGE));
        assertEquals("slipway.builds", header(letter.headers(), DeadLetters.HEADER_TOPIC));
        assertEquals(header(valid.headers(), HEADER_ID), header(letter.headers(), HEADER_ID));
    }

    private EventDecodingException refused(ConsumerRecord<String, byte[]> record) {
        return assertThrows(EventDecodingException.class, () -> codec.decode(record));
    }

    private static ConsumerRecord<String, byte[]> consumed(String topic, String key, Headers headers, byte[] value) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(topic, 0, 42L, key, value);
        headers.forEach(h -> record.headers().add(h));
        return record;
    }

    private static Headers copy(Headers headers) {
        return new RecordHeaders(headers.toArray());
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), UTF_8);
    }

    private static byte[] bytes(ObjectNode body) throws Exception {
        return EventJson.mapper().writeValueAsBytes(body);
    }
}
