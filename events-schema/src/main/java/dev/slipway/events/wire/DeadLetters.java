package dev.slipway.events.wire;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.slipway.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the dead-letter record for a record that could not be read: the original key, value and headers,
 * untouched, on {@code <topic>.dlq}, plus headers saying why, where it came from and which consumer refused it.
 * Every consumer group that cannot use a record dead-letters it under its own name: two services refusing one
 * record are two dead letters, each saying who.
 */
public final class DeadLetters {

    public static final String HEADER_REASON = "slipway_dlq_reason";
    public static final String HEADER_MESSAGE = "slipway_dlq_message";
    public static final String HEADER_TOPIC = "slipway_dlq_topic";
    public static final String HEADER_PARTITION = "slipway_dlq_partition";
    public static final String HEADER_OFFSET = "slipway_dlq_offset";
    public static final String HEADER_CONSUMER = "slipway_dlq_consumer";
    private static final String PREFIX = "slipway_dlq_";

    private DeadLetters() {
    }

    public static ProducerRecord<String, byte[]> of(ConsumerRecord<String, byte[]> record, String consumer,
            EventDecodingException error) {
        return of(record, consumer, error.reason().wireName(), error.getMessage());
    }

    /**
     * For a record that was read but cannot be acted on (e.g. a command about something that does not exist).
     *
     * @param consumer the consumer group that refuses it, e.g. {@code cas-flagging}
     * @param reason   a short stable code, e.g. {@code refused}
     */
    public static ProducerRecord<String, byte[]> of(ConsumerRecord<String, byte[]> record, String consumer,
            String reason, String message) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(HEADER_CONSUMER, consumer.getBytes(UTF_8));
        headers.add(HEADER_REASON, reason.getBytes(UTF_8));
        headers.add(HEADER_MESSAGE, String.valueOf(message).getBytes(UTF_8));
        headers.add(HEADER_TOPIC, record.topic().getBytes(UTF_8));
        headers.add(HEADER_PARTITION, Integer.toString(record.partition()).getBytes(UTF_8));
        headers.add(HEADER_OFFSET, Long.toString(record.offset()).getBytes(UTF_8));
        return new ProducerRecord<>(Topics.deadLetter(record.topic()), null, record.key(), record.value(), headers);
    }

    /**
     * The headers {@link #of} added to the record's own: for a dead-letter writer that copies the record's headers
     * itself (SmallRye's dead-letter-queue strategy).
     */
    public static Headers added(ProducerRecord<String, byte[]> deadLetter) {
        Headers added = new RecordHeaders();
        for (Header header : deadLetter.headers()) {
            if (header.key().startsWith(PREFIX)) {
                added.add(header);
            }
        }
        return added;
    }
}
