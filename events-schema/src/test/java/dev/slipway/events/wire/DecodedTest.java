package dev.slipway.events.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.build.BuildRequested;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class DecodedTest {

    private final CloudEventCodec codec = new CloudEventCodec();

    @Test
    void aRecordThatDecodesIsItsEventAndOneThatDoesNotIsItsDeadLetterNamingTheConsumer() {
        Event<?> event = Event.of("/test", new BuildRequested("sha256:" + "a".repeat(64), "ci:job-7"));
        ProducerRecord<String, byte[]> sent = codec.encode(event);
        ConsumerRecord<String, byte[]> good = new ConsumerRecord<>(sent.topic(), 3, 41, sent.key(), sent.value());
        sent.headers().forEach(header -> good.headers().add(header));
        ConsumerRecord<String, byte[]> bad = new ConsumerRecord<>(Topics.BUILDS, 3, 42, "k", "not an event".getBytes(UTF_8));

        Decoded readable = Decoded.of(codec, good, "build-service");
        Decoded poison = Decoded.of(codec, bad, "build-service");

        assertEquals(event, assertInstanceOf(Decoded.Readable.class, readable).event());
        Decoded.Poison refused = assertInstanceOf(Decoded.Poison.class, poison);
        assertEquals(Topics.deadLetter(Topics.BUILDS), refused.deadLetter().topic());
        assertArrayEquals(bad.value(), refused.deadLetter().value(), "the record itself, untouched");
        assertArrayEquals("build-service".getBytes(UTF_8),
                refused.deadLetter().headers().lastHeader(DeadLetters.HEADER_CONSUMER).value());
        assertTrue(refused.why().startsWith(Topics.BUILDS + "-3@42: "), refused.why());
    }
}
