package dev.slipway.events.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.events.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void theAddedHeadersAreTheSixThatSayWhyWhereFromAndWhoWithoutTheRecordsOwn() {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(Topics.BUILDS, 2, 41L, "key", "{".getBytes(UTF_8));
        record.headers().add("ce_id", "abc".getBytes(UTF_8));
        ProducerRecord<String, byte[]> dead = DeadLetters.of(record, "release-service-projection", "malformed-body",
                "not JSON");

        assertEquals(Topics.deadLetter(Topics.BUILDS), dead.topic());
        assertEquals("abc", new String(dead.headers().lastHeader("ce_id").value(), UTF_8), "the record's own kept");
        List<String> added = new ArrayList<>();
        for (Header header : DeadLetters.added(dead)) {
            added.add(header.key() + "=" + new String(header.value(), UTF_8));
        }
        assertEquals(List.of("slipway_dlq_consumer=release-service-projection", "slipway_dlq_reason=malformed-body",
                "slipway_dlq_message=not JSON", "slipway_dlq_topic=slipway.builds", "slipway_dlq_partition=2",
                "slipway_dlq_offset=41"), added);
    }
}
