package dev.slipway.release.command;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Puts operator commands on {@code slipway.commands}; the returned Uni completes once the broker has them. */
@Singleton
public class CommandPublisher {

    private final CloudEventCodec codec = new CloudEventCodec();
    private final KafkaProducer<String, byte[]> producer;

    public CommandPublisher(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        // An unreachable broker answers the operator within seconds, not after Kafka's default minute.
        this.producer = KafkaClients.producer(bootstrapServers, Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000));
    }

    public Uni<Event<?>> publish(Event<?> command) {
        return Uni.createFrom().emitter(emitter -> {
            try {
                producer.send(codec.encode(Topics.COMMANDS, command), (metadata, failure) -> {
                    if (failure != null) {
                        emitter.fail(failure);
                    } else {
                        emitter.complete(command);
                    }
                });
            } catch (RuntimeException e) {
                emitter.fail(e);
            }
        });
    }

    void close(@Observes ShutdownEvent stopping) {
        producer.close();
    }
}
