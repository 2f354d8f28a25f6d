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
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.messaging.KafkaMessages;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Carries the commands the agents act on from {@code slipway.commands} to the set's coordination log on
 * {@code slipway.rollouts}: pause, resume, approve, let past its deployment windows and roll back a named
 * rollout, place and release a named hold, and take a host out of its set. (Promote and revoke are the store's:
 * cas-service reads them itself.) On SmallRye's Kafka connector: the channel {@value #CHANNEL} in, the emitter
 * {@value #LOG_CHANNEL} out. Each relayed entry's id is derived from the command's, so a command relayed twice
 * after a crash is one entry to every fold; a command is acknowledged (and its offset committed) only after the
 * broker has its entry, and an entry the broker does not take is sent again, with back-off, for as long as it
 * does not. A command that names no rollout is dead-lettered.
 */
@ApplicationScoped
public class CommandRelay {

    public static final String CHANNEL = "slipway-commands-in";
    public static final String LOG_CHANNEL = "slipway-set-logs";

    /** {@code slipway.release.relay.*} */
    @ConfigMapping(prefix = "slipway.release.relay")
    public interface Config {
        /** One group for all release-service instances: each command is relayed by one of them. */
        @WithDefault("release-service-relay")
        String consumerGroup();
    }

    private static final Logger LOG = Logger.getLogger(CommandRelay.class);
    private static final String SOURCE = "/release-service/relay";

    private final Config config;
    private final CloudEventCodec codec = new CloudEventCodec();

    @Inject
    @Channel(LOG_CHANNEL)
    MutinyEmitter<byte[]> logs;

    public CommandRelay(Config config) {
        this.config = config;
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

    @Incoming(CHANNEL)
    public Uni<Void> relay(Message<byte[]> message) {
        ConsumerRecord<String, byte[]> record = KafkaMessages.record(message);
        Event<?> command;
        try {
            command = codec.decode(record);
        } catch (EventDecodingException poison) {
            // The projection dead-letters unreadable records of every topic; once is enough.
            return Uni.createFrom().completionStage(message::ack);
        }
        Optional<SlipwayEvent> entry;
        try {
            entry = logEntryFor(command.data());
        } catch (IllegalArgumentException refused) {
            LOG.warnf("dead-lettering command %s: %s", command.id(), refused.getMessage());
            return KafkaMessages.deadLetter(message, DeadLetters.of(record, config.consumerGroup(), "refused",
                    refused.getMessage()), refused.getMessage());
        }
        if (entry.isEmpty()) {
            return Uni.createFrom().completionStage(message::ack);
        }
        Message<byte[]> relayed = KafkaMessages.of(codec.encode(Topics.ROLLOUTS,
                Event.causedBy(command, CommandEffects.RELAYED, SOURCE, command.time(), entry.get())));
        return Uni.createFrom().deferred(() -> logs.sendMessage(relayed))
                .onFailure().invoke(failure -> LOG.warnf("cannot append command %s to %s (%s); trying again",
                        command.id(), Topics.ROLLOUTS, failure.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .chain(() -> Uni.createFrom().completionStage(message::ack));
    }
}
