package dev.slipway.messaging;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.wire.CloudEventCodec;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Puts operator commands on {@code slipway.commands}, for every service that takes them over HTTP (the release
 * API, cas-service's flag requests): one emitter on the channel {@value #CHANNEL}, whose producer settings (every
 * replica acknowledges, idempotent, bounded waits for an unreachable broker) live once, in this module's
 * {@code META-INF/microprofile-config.properties}.
 */
@ApplicationScoped
public class CommandPublisher {

    public static final String CHANNEL = "slipway-commands-out";

    private final CloudEventCodec codec = new CloudEventCodec();

    @Inject
    @Channel(CHANNEL)
    MutinyEmitter<byte[]> commands;

    /** Completes with the command once the broker has it, or fails with why it does not. */
    public Uni<Event<?>> publish(Event<?> command) {
        return Uni.createFrom().deferred(() -> commands.sendMessage(KafkaMessages.of(codec.encode(Topics.COMMANDS, command))))
                .replaceWith(command);
    }
}
