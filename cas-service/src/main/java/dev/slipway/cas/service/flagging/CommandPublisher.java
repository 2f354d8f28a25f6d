package dev.slipway.cas.service.flagging;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Turns an operator's flag request made over HTTP into a command event on {@code slipway.commands}, the same
 * path every other command takes, so the flagging loop stays the only writer of flags. Blocking until the
 * broker acknowledged: call it from a worker thread.
 */
@Singleton
public final class CommandPublisher {

    private final CloudEventCodec codec = new CloudEventCodec();
    private final KafkaProducer<String, byte[]> producer;

    public CommandPublisher(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.producer = KafkaClients.producer(bootstrapServers, Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
    }

    /** Publishes the command and returns once it is durable on the broker. */
    public void publish(Event<?> command) throws ExecutionException, InterruptedException {
        producer.send(codec.encode(Topics.COMMANDS, command)).get();
    }

    void close(@Observes ShutdownEvent stopping) {
        producer.close();
    }
}
