package dev.slipway.events.wire;

import dev.slipway.events.Event;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A consumed record, decoded, or the dead-letter record that says why it could not be: the first step of every
 * consumer loop, so that each dead-letters poison the same way (the five headers, naming the consumer) and goes on.
 */
public sealed interface Decoded {

    /** The record's event. */
    record Readable(Event<?> event) implements Decoded {
    }

    /** A record no reader of this schema can use: publish {@code deadLetter}; {@code why} says what was wrong. */
    record Poison(ProducerRecord<String, byte[]> deadLetter, String why) implements Decoded {
    }

    /** @param consumer the consumer group reading it, named on the dead letter */
    static Decoded of(CloudEventCodec codec, ConsumerRecord<String, byte[]> record, String consumer) {
        try {
            return new Readable(codec.decode(record));
        } catch (EventDecodingException poison) {
            return new Poison(DeadLetters.of(record, consumer, poison), record.topic() + "-" + record.partition() + "@"
                    + record.offset() + ": " + poison.getMessage());
        }
    }
}
