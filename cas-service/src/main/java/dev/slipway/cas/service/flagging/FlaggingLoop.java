package dev.slipway.cas.service.flagging;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.flag.FlagStore;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.ConsumerThread;
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.events.wire.Decoded;
import dev.slipway.events.wire.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.slipway.events.artifact.ArtifactRejected;
import dev.slipway.events.artifact.ChannelStateSigned;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads {@code slipway.artifacts} and {@code slipway.commands}, hands each event to the {@link Flagger}, and
 * publishes what it announces, exactly once as readers with {@code isolation.level=read_committed} see it.
 *
 * <p>Each poll's records are handled in one Kafka transaction that also commits the consumer offsets
 * (consume-transform-produce). Flags are written to the store before the transaction commits; if the service
 * dies in between, the records come again, the flag writes find nothing to change, and the announcements
 * are published with the same ids. A record that is not a valid event, or an event that cannot be acted
 * on, goes to {@code <topic>.dlq} inside the same transaction, and the loop carries on. Any other failure
 * aborts the transaction and starts the loop again from the last committed offsets.
 *
 * <p>Runs on its own thread, never on the event loop. Plain Kafka clients rather than SmallRye channels:
 * see docs/adr/0003.
 */
@Singleton
public final class FlaggingLoop {

    private static final Logger LOG = Logger.getLogger(FlaggingLoop.class);
    private static final int RECENT_IDS = 100_000;
    private static final Duration RENEWAL_CHECK = Duration.ofSeconds(10);

    /** What the loop does with each event, and with time; {@link Flagger} in production. */
    @FunctionalInterface
    interface Handler {
        List<Flagger.Announcement> handle(Event<?> event) throws IOException, Flagger.Refused;

        /** What the passing of time announces by {@code now}: agreements past their deadline. */
        default List<Flagger.Announcement> expire(Instant now) throws IOException {
            return List.of();
        }

        /** Called once what {@link #expire} returned is published. */
        default void expired(List<Flagger.Announcement> announced) throws IOException {
        }
    }

    private final FlaggingConfig config;
    private final Handler flagger;
    private final ChannelStates states;
    private Instant nextRenewal = Instant.EPOCH;
    private Instant nextExpiry = Instant.EPOCH;
    private final String bootstrapServers;
    private final CloudEventCodec codec = new CloudEventCodec();
    /**
     * Ids of events whose transaction committed, so a duplicate delivery announces nothing. Bounded: an older
     * duplicate is still harmless, since its announcements reuse the same ids.
     */
    private final Set<String> recentlyCommitted = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_IDS;
        }
    });
    private ConsumerThread thread;

    @Inject
    public FlaggingLoop(FlaggingConfig config, BlobStore blobs, FlagStore flags,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this(config, ChannelStates.configured(config.release(), flags), blobs, flags, bootstrapServers);
    }

    private FlaggingLoop(FlaggingConfig config, ChannelStates states, BlobStore blobs, FlagStore flags,
            String bootstrapServers) {
        this(config, new Flagger(blobs, flags, config.autoFlag(), "/cas-service/" + config.transactionalId(),
                BuilderKeys.trusted(config.trustedBuilderKeys().orElse(List.of())), states,
                Agreements.configured(config.agreement())), states, bootstrapServers);
    }

    FlaggingLoop(FlaggingConfig config, Handler handler, ChannelStates states, String bootstrapServers) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.flagger = handler;
        this.states = states;
    }

    void start(@Observes StartupEvent started) {
        if (config.enabled()) {
            thread = ConsumerThread.start("cas-flagging", this::newConsumer, this::flag);
        }
    }

    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        if (thread != null) {
            thread.stop();
        }
    }

    /** Whether the loop's thread is alive (it dies only on stop, or on an Error). */
    boolean isAlive() {
        return thread != null && thread.isAlive();
    }

    private void flag(KafkaConsumer<String, byte[]> consumer, ConsumerThread.Running running) {
        try (KafkaProducer<String, byte[]> producer = newProducer()) {
            producer.initTransactions();
            consumer.subscribe(List.of(Topics.ARTIFACTS, Topics.COMMANDS));
            while (running.get()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    handleInOneTransaction(records, consumer, producer);
                }
                renewDueStates(producer);
                expireDueAgreements(producer);
            }
        }
    }

    private void handleInOneTransaction(ConsumerRecords<String, byte[]> records, KafkaConsumer<String, byte[]> consumer,
            KafkaProducer<String, byte[]> producer) {
        Set<String> handled = new HashSet<>();
        producer.beginTransaction();
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                for (ProducerRecord<String, byte[]> out : handle(record, handled)) {
                    producer.send(out);
                }
                offsets.put(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (RuntimeException e) {
            producer.abortTransaction();
            throw e;
        }
        recentlyCommitted.addAll(handled);
    }

    /**
     * Signs again the channel states due for renewal, in a transaction of their own, on this thread: the one
     * writer of states, fenced by the transactional id like every flag change. A store that cannot be reached is
     * tried again at the next check; states stay valid meanwhile, for {@code validity - renewEvery}.
     */
    private void renewDueStates(KafkaProducer<String, byte[]> producer) {
        Instant now = Instant.now();
        if (!states.signing() || now.isBefore(nextRenewal)) {
            return;
        }
        nextRenewal = now.plus(RENEWAL_CHECK);
        List<ChannelStateSigned> renewed;
        try {
            renewed = states.renew(now);
        } catch (IOException e) {
            LOG.warnf("cannot renew channel states now (%s); trying again in %s", e.getMessage(), RENEWAL_CHECK);
            return;
        }
        if (renewed.isEmpty()) {
            return;
        }
        producer.beginTransaction();
        try {
            for (ChannelStateSigned state : renewed) {
                producer.send(codec.encode(Topics.DEPLOYABLES, Event.of(source(), state)));
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            producer.abortTransaction();
            throw e;
        }
        LOG.infof("renewed channel states %s", renewed.stream()
                .map(s -> s.deploymentSet() + " v" + s.version()).toList());
    }

    /**
     * Rejects the recipes whose builders did not agree in time, in a transaction of its own, on this thread, at
     * most once per check interval. A store that cannot be reached is tried again at the next check.
     */
    private void expireDueAgreements(KafkaProducer<String, byte[]> producer) {
        Instant now = Instant.now();
        if (now.isBefore(nextExpiry)) {
            return;
        }
        nextExpiry = now.plus(RENEWAL_CHECK);
        List<Flagger.Announcement> rejected;
        try {
            rejected = flagger.expire(now);
        } catch (IOException e) {
            LOG.warnf("cannot judge agreement deadlines now (%s); trying again in %s", e.getMessage(), RENEWAL_CHECK);
            return;
        }
        if (rejected.isEmpty()) {
            return;
        }
        producer.beginTransaction();
        try {
            for (Flagger.Announcement announcement : rejected) {
                producer.send(codec.encode(announcement.topic(), announcement.event()));
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            producer.abortTransaction();
            throw e;
        }
        try {
            flagger.expired(rejected);
        } catch (IOException e) {
            LOG.warnf("published %d deadline rejections but cannot forget them yet (%s): they are announced again, "
                    + "with the same ids", rejected.size(), e.getMessage());
        }
        LOG.infof("rejected at their agreement deadline: %s", rejected.stream()
                .map(a -> ((ArtifactRejected) a.event().data()).recipe()).toList());
    }

    private String source() {
        return "/cas-service/" + config.transactionalId();
    }

    /** The records to publish for one consumed record; none for a duplicate of an event already handled. */
    private List<ProducerRecord<String, byte[]>> handle(ConsumerRecord<String, byte[]> record, Set<String> handled) {
        Decoded decoded = Decoded.of(codec, record, config.consumerGroup());
        if (decoded instanceof Decoded.Poison poison) {
            LOG.warnf("dead-lettering %s", poison.why());
            return List.of(poison.deadLetter());
        }
        Event<?> event = ((Decoded.Readable) decoded).event();
        if (recentlyCommitted.contains(event.id()) || !handled.add(event.id())) {
            return List.of();
        }
        try {
            return flagger.handle(event).stream().map(a -> codec.encode(a.topic(), a.event())).toList();
        } catch (Flagger.Refused refused) {
            LOG.warnf("dead-lettering %s %s: %s", event.type(), event.id(), refused.getMessage());
            return List.of(DeadLetters.of(record, config.consumerGroup(), "refused", refused.getMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the store while handling " + event.id(), e);
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        return KafkaClients.consumer(bootstrapServers, config.consumerGroup(), Map.of());
    }

    private KafkaProducer<String, byte[]> newProducer() {
        return KafkaClients.producer(bootstrapServers,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId()));
    }
}
