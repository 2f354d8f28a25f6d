package dev.slipway.release.command;

import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.Topics;
import dev.slipway.events.command.CommandEffects;
import dev.slipway.events.command.ApprovalRequested;
import dev.slipway.events.command.WindowOverrideRequested;
import dev.slipway.events.command.HoldReleaseRequested;
import dev.slipway.events.command.HoldRequested;
import dev.slipway.events.command.PauseRequested;
import dev.slipway.events.command.RemoveHostRequested;
import dev.slipway.events.command.ResumeRequested;
import dev.slipway.events.rollout.GateApproved;
import dev.slipway.events.rollout.WindowOverridden;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.HoldReleased;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.ConsumerThread;
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Carries the commands the agents act on from {@code slipway.commands} to the set's coordination log on
 * {@code slipway.rollouts}: pause, resume, approve, let past its deployment windows and roll back a named rollout, place and release a named hold, and take
 * a host out of its set. (Promote and revoke are the store's:
 * cas-service reads them itself.) Each relayed entry's id is derived from the command's, so a command relayed
 * twice after a crash is one entry to every fold. Offsets are committed after the broker acknowledged the
 * entry; a command that names no rollout is dead-lettered.
 */
@Singleton
public class CommandRelay {

    /** {@code slipway.release.relay.*} */
    @ConfigMapping(prefix = "slipway.release.relay")
    public interface Config {
        @WithDefault("true")
        boolean enabled();

        /** One group for all release-service instances: each command is relayed by one of them. */
        @WithDefault("release-service-relay")
        String consumerGroup();
    }

    private static final Logger LOG = Logger.getLogger(CommandRelay.class);
    private static final String SOURCE = "/release-service/relay";

    private final Config config;
    private final String bootstrapServers;
    private final CloudEventCodec codec = new CloudEventCodec();
    private ConsumerThread thread;

    public CommandRelay(Config config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
    }

    /** The log entry a command becomes, if the agents act on it; empty for the store's commands. */
    static Optional<SlipwayEvent> logEntryFor(Object command) {
        if (command instanceof PauseRequested pause) {
            return Optional.of(new RolloutPaused(pause.deploymentSet(), named(pause.rolloutId()), pause.requestedBy(),
                    pause.reason()));
        }
        if (command instanceof ResumeRequested resume) {
            return Optional.of(new RolloutResumed(resume.deploymentSet(), named(resume.rolloutId()), resume.requestedBy()));
        }
        if (command instanceof WindowOverrideRequested override) {
            return Optional.of(new WindowOverridden(override.deploymentSet(), named(override.rolloutId()),
                    override.requestedBy(), override.reason()));
        }
        if (command instanceof ApprovalRequested approval) {
            return Optional.of(new GateApproved(approval.deploymentSet(), named(approval.rolloutId()),
                    approval.requestedBy(), approval.reason(), approval.batch()));
        }
        if (command instanceof HoldRequested hold) {
            return Optional.of(new HoldPlaced(hold.deploymentSet(), hold.name(), hold.until(), hold.onExpiry(),
                    hold.requestedBy(), hold.reason()));
        }
        if (command instanceof HoldReleaseRequested release) {
            return Optional.of(new HoldReleased(release.deploymentSet(), release.name(), release.requestedBy()));
        }
        if (command instanceof RemoveHostRequested removal) {
            return Optional.of(new HostLeft(removal.deploymentSet(), removal.hostId()));
        }
        if (command instanceof RollbackRequested rollback) {
            named(rollback.rolloutId());
            return Optional.of(rollback);
        }
        return Optional.empty();
    }

    private static String named(String rolloutId) {
        if (rolloutId == null) {
            throw new IllegalArgumentException("the command names no rollout; send it through the release API, "
                    + "which names the set's current one");
        }
        return rolloutId;
    }

    void start(@Observes StartupEvent started) {
        if (config.enabled()) {
            thread = ConsumerThread.start("release-command-relay", () -> KafkaClients.consumer(bootstrapServers,
                    config.consumerGroup(), Map.of(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000)), this::relay);
        }
    }

    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        if (thread != null) {
            thread.stop();
        }
    }

    private void relay(KafkaConsumer<String, byte[]> consumer, ConsumerThread.Running running) {
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrapServers, Map.of())) {
            consumer.subscribe(List.of(Topics.COMMANDS));
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    send(producer, relay(record));
                }
                consumer.commitSync();
            }
        }
    }

    private Optional<ProducerRecord<String, byte[]>> relay(ConsumerRecord<String, byte[]> record) {
        Event<?> command;
        try {
            command = codec.decode(record);
        } catch (EventDecodingException poison) {
            // The projection dead-letters unreadable records of every topic; once is enough.
            return Optional.empty();
        }
        try {
            return logEntryFor(command.data()).map(entry -> codec.encode(Topics.ROLLOUTS,
                    Event.causedBy(command, CommandEffects.RELAYED, SOURCE, command.time(), entry)));
        } catch (IllegalArgumentException refused) {
            LOG.warnf("dead-lettering command %s: %s", command.id(), refused.getMessage());
            return Optional.of(DeadLetters.of(record, config.consumerGroup(), "refused", refused.getMessage()));
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, Optional<ProducerRecord<String, byte[]>> record) {
        if (record.isEmpty()) {
            return;
        }
        try {
            producer.send(record.get()).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot append to " + record.get().topic(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while relaying", e);
        }
    }
}
