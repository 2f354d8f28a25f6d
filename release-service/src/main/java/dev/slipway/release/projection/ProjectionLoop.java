package dev.slipway.release.projection;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.ConsumerThread;
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.events.wire.Decoded;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.KafkaClients;
import dev.slipway.release.live.Change;
import dev.slipway.release.live.LiveUpdates;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.sqlclient.DatabaseException;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Reads every topic into the read model. Each event is projected in its own transaction; the poll's offsets
 * are committed only after all its transactions committed, so a crash replays some events, which the
 * projector recognises by id. A record that is not a valid event, or that the database refuses while it
 * answers other queries, goes to {@code <topic>.dlq} with the reason and the loop carries on; when the
 * database does not answer, the loop starts again from the last committed offsets. It also reads the dead letters
 * of {@code slipway.commands}: each consumer's refusal of a command goes into the audit trail and the command's
 * outcome.
 *
 * <p>Its own thread, plain Kafka clients (docs/adr/0003); the database is reached through Hibernate Reactive
 * on a Vert.x context, awaited here.
 */
@Singleton
public class ProjectionLoop {

    private static final Logger LOG = Logger.getLogger(ProjectionLoop.class);
    /** A topic created after the service started (a new cluster, say) is read within seconds, not Kafka's 5 min. */
    static final Map<String, Object> FIND_NEW_TOPICS = Map.of(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000);

    /** Every topic, and the commands' dead letters: a refused command is part of the story the console tells. */
    static final List<String> READ = Stream.concat(Topics.ALL.stream(), Stream.of(Topics.deadLetter(Topics.COMMANDS)))
            .toList();

    private final ProjectionConfig config;
    private final Mutiny.SessionFactory database;
    private final LiveUpdates live;
    private final ProjectionMetrics metrics;
    private final String bootstrapServers;
    private final Projector projector = new Projector();
    private final CloudEventCodec codec = new CloudEventCodec();
    private ConsumerThread thread;
    private volatile String group;

    @Inject
    public ProjectionLoop(ProjectionConfig config, Mutiny.SessionFactory database, LiveUpdates live,
            ProjectionMetrics metrics, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.database = database;
        this.live = live;
        this.metrics = metrics;
        this.bootstrapServers = bootstrapServers;
    }

    void start(@Observes StartupEvent started) {
        if (config.enabled()) {
            start(config.consumerGroup());
        }
    }

    /** Starts reading as {@code group}; a new group reads every topic from the start (a replay). */
    public synchronized void start(String group) {
        this.group = group;
        thread = ConsumerThread.start("release-projection",
                () -> KafkaClients.consumer(bootstrapServers, group, FIND_NEW_TOPICS), this::project);
    }

    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        stop();
    }

    /** The consumer group it reads as; null before it started. */
    public String group() {
        return group;
    }

    public synchronized void stop() throws InterruptedException {
        if (thread != null) {
            thread.stop();
            thread = null;
        }
    }

    private void project(KafkaConsumer<String, byte[]> consumer, ConsumerThread.Running running) {
        try (KafkaProducer<String, byte[]> deadLetters = KafkaClients.producer(bootstrapServers, Map.of())) {
            consumer.subscribe(READ);
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    handle(record, deadLetters);
                }
                consumer.commitSync();
                metrics.lag(totalLag(consumer));
            }
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record, KafkaProducer<String, byte[]> deadLetters) {
        if (record.topic().equals(Topics.deadLetter(Topics.COMMANDS))) {
            refusal(record);
            return;
        }
        Decoded decoded = Decoded.of(codec, record, group);
        if (decoded instanceof Decoded.Poison poison) {
            deadLetter(deadLetters, poison.deadLetter(), poison.why());
            return;
        }
        Event<?> event = ((Decoded.Readable) decoded).event();
        boolean projected;
        try {
            projected = VertxContextSupport.subscribeAndAwait(
                    () -> database.withTransaction(session -> projector.project(session, event, record.topic())));
        } catch (Throwable refused) {
            if (isTransient(refused) || !databaseAnswers()) {
                // Not the event's fault: start again from the last committed offset, which replays it (projection
                // is idempotent by event id) once the database can take it.
                throw new IllegalStateException("the database could not take " + event.id() + " now ("
                        + refused.getMessage() + "); projecting it again", refused);
            }
            deadLetter(deadLetters, DeadLetters.of(record, group, "unprojectable", String.valueOf(refused.getMessage())),
                    refused.getMessage());
            return;
        }
        if (projected) {
            metrics.projected(event);
            live.publish(new Change(event.type(), Projector.deploymentSetOf(event.data()), Summaries.of(event.data()),
                    event.time()));
        }
    }

    /**
     * A dead letter of a command: what the original was (when it can be read) and who refused it. A dead letter
     * that does not say where it came from is not one of ours: skipped, never dead-lettered in its turn.
     */
    private void refusal(ConsumerRecord<String, byte[]> letter) {
        String topic = header(letter, DeadLetters.HEADER_TOPIC);
        if (topic == null) {
            LOG.warnf("skipping %s@%d: not a dead letter (no %s header)", letter.topic(), letter.offset(),
                    DeadLetters.HEADER_TOPIC);
            return;
        }
        String origin = topic + "-" + header(letter, DeadLetters.HEADER_PARTITION) + "@"
                + header(letter, DeadLetters.HEADER_OFFSET);
        Event<?> command;
        try {
            command = codec.decode(new ConsumerRecord<>(topic, letter.partition(), letter.offset(), letter.timestamp(),
                    letter.timestampType(), -1, -1, letter.key(), letter.value(), letter.headers(), Optional.empty()));
        } catch (EventDecodingException unreadable) {
            command = null;
        }
        String consumer = header(letter, DeadLetters.HEADER_CONSUMER);
        Projector.DeadLetter dead = new Projector.DeadLetter(consumer == null ? "an unnamed consumer" : consumer,
                header(letter, DeadLetters.HEADER_REASON), String.valueOf(header(letter, DeadLetters.HEADER_MESSAGE)),
                origin, Instant.ofEpochMilli(letter.timestamp()));
        Event<?> refused = command;
        boolean projected;
        try {
            projected = VertxContextSupport.subscribeAndAwait(
                    () -> database.withTransaction(session -> projector.refused(session, refused, dead)));
        } catch (Throwable failed) {
            if (isTransient(failed) || !databaseAnswers()) {
                throw new IllegalStateException("the database could not take the dead letter of " + origin + " now ("
                        + failed.getMessage() + "); projecting it again", failed);
            }
            LOG.warnf("skipping the dead letter %s@%d of %s: %s", letter.topic(), letter.offset(), origin,
                    failed.getMessage());
            return;
        }
        if (projected) {
            live.publish(new Change(Projector.REFUSED, refused == null ? null : Projector.deploymentSetOf(refused.data()),
                    "refused by " + dead.consumer() + ": " + dead.message(), dead.at()));
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        // Headers are anyone's bytes: no control character reaches the database.
        return header == null ? null
                : new String(header.value(), StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}&&[^\\n\\t]]", "?");
    }

    /**
     * A failure that says nothing about the event: PostgreSQL's transaction rollbacks (serialization failure,
     * deadlock), lost connections, exhausted resources, an administrator's shutdown, a lock not granted; or a
     * timeout (a pool with no free connection).
     */
    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Hibernate Reactive hands PostgreSQL's error on as an SQLException; the Vert.x client's own is below it.
            String state = t instanceof SQLException sql ? sql.getSQLState()
                    : t instanceof DatabaseException database ? database.getSqlState() : null;
            if (state != null) {
                return state.startsWith("40") || state.startsWith("08") || state.startsWith("53")
                        || state.startsWith("57P") || state.equals("55P03");
            }
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private boolean databaseAnswers() {
        try {
            VertxContextSupport.subscribeAndAwait(() -> database.withSession(
                    session -> session.createNativeQuery("select 1").getSingleResult()));
            return true;
        } catch (Throwable e) {
            return false;
        }
    }

    private static void deadLetter(KafkaProducer<String, byte[]> producer, ProducerRecord<String, byte[]> record,
            String why) {
        LOG.warnf("dead-lettering a record to %s: %s", record.topic(), why);
        try {
            producer.send(record).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot dead-letter a record to " + record.topic(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        }
    }

    private static long totalLag(KafkaConsumer<String, byte[]> consumer) {
        return consumer.assignment().stream().mapToLong(partition -> consumer.currentLag(partition).orElse(0)).sum();
    }
}
