package dev.slipway.messaging;

import dev.slipway.events.wire.DeadLetters;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.mutiny.Uni;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * Our codec speaks Kafka records ({@code CloudEventCodec}: key, value, CloudEvents headers); SmallRye's connector
 * speaks messages. These are the two translations, and the dead letter through the connector's
 * {@code dead-letter-queue} failure strategy.
 */
public final class KafkaMessages {

    private KafkaMessages() {
    }

    /** The message that the connector writes as exactly this record: its topic, key, headers and value. */
    public static Message<byte[]> of(ProducerRecord<String, byte[]> record) {
        return Message.of(record.value()).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(record.topic())
                .withKey(record.key())
                .withHeaders(new RecordHeaders(record.headers().toArray()))
                .build());
    }

    /** The record a message of an incoming Kafka channel was read from. */
    @SuppressWarnings("unchecked")
    public static ConsumerRecord<String, byte[]> record(Message<byte[]> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(metadata -> (ConsumerRecord<String, byte[]>) metadata.getRecord())
                .orElseThrow(() -> new IllegalArgumentException("not a message of a Kafka channel"));
    }

    /**
     * Nacks the message so that the channel's {@code dead-letter-queue} strategy writes {@code deadLetter} (from
     * {@link DeadLetters#of}): to its topic ({@code <topic>.dlq}) with our headers, which name the consumer that
     * refused it. The connector commits past the record once the dead letter is on the broker.
     */
    public static Uni<Void> deadLetter(Message<byte[]> message, ProducerRecord<String, byte[]> deadLetter, String why) {
        OutgoingKafkaRecordMetadata<String> where = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(deadLetter.topic())
                .withHeaders(DeadLetters.added(deadLetter))
                .build();
        return Uni.createFrom().completionStage(() -> message.nack(new Refused(why), Metadata.of(where)));
    }

    /** Why a record was dead-lettered, as the connector logs it and writes it in its own headers. */
    static final class Refused extends Exception {
        Refused(String why) {
            super(why, null, false, false);
        }
    }
}
