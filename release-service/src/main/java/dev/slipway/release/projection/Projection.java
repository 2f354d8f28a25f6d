package dev.slipway.release.projection;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.events.wire.Decoded;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.messaging.KafkaMessages;
import dev.slipway.release.live.Change;
import dev.slipway.release.live.LiveUpdates;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Reads every topic into the read model, on SmallRye's Kafka connector: the channel {@value #CHANNEL}
 * (application.properties names its topics, every one of {@link Topics#ALL} and the commands' dead letters).
 *
 * <p>Each event is projected in its own Hibernate Reactive transaction and acknowledged once that transaction
 * committed; the connector's throttled strategy commits an offset only when every record before it is
 * acknowledged, so a crash replays some events, which the projector recognises by id. A failure that is not the
 * event's (a transient database error, or a database that does not answer) is retried with back-off for as long
 * as it lasts, holding the stream where it is: nothing valid is dead-lettered for an outage. A record that is not
 * a valid event, or that the database refuses while it answers other queries, is nacked to {@code <topic>.dlq}
 * through the connector's dead-letter-queue strategy, with our headers naming this consumer.
 *
 * <p>The dead letters of {@code slipway.commands} are read too: each consumer's refusal of a command goes into
 * the audit trail and the command's outcome. A dead letter that does not say where it came from is skipped.
 */
@ApplicationScoped
public class Projection {

    public static final String CHANNEL = "slipway-events";
    private static final Logger LOG = Logger.getLogger(Projection.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);
    private static final Duration ATTEMPT = Duration.ofSeconds(30);

    private final ProjectionConfig config;
    private final Mutiny.SessionFactory database;
    private final LiveUpdates live;
    private final ProjectionMetrics metrics;
    private final Projector projector = new Projector();
    private final CloudEventCodec codec = new CloudEventCodec();

    public Projection(ProjectionConfig config, Mutiny.SessionFactory database, LiveUpdates live,
            ProjectionMetrics metrics) {
        this.config = config;
        this.database = database;
        this.live = live;
        this.metrics = metrics;
    }

    /**
     * Every 2 s, how many records the channel's consumer has not read yet. Records read but still waiting in the
     * connector are not counted: {@code slipway_projection_stalled_seconds} says when one waits.
     */
    void measureLag(@Observes StartupEvent started, Vertx vertx, KafkaClientService clients) {
        vertx.setPeriodic(2_000, tick -> clients.<String, byte[]>getConsumers(CHANNEL).forEach(consumer -> consumer
                .runOnPollingThread((Function<Consumer<String, byte[]>, Long>) polling -> polling.assignment().stream()
                        .mapToLong(partition -> polling.currentLag(partition).orElse(0)).sum())
                .subscribe().with(metrics::lag, failure -> LOG.debugf("no lag measured: %s", failure.getMessage()))));
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(Message<byte[]> message) {
        metrics.began();
        ConsumerRecord<String, byte[]> record = KafkaMessages.record(message);
        return Uni.createFrom().deferred(() -> apply(record))
                // What is left after the retries is the record's own fault (or ours): dead-lettered with our
                // headers to <topic>.dlq, never to the connector's default topic.
                .onFailure().recoverWithItem(failure -> Optional.of(new Decoded.Poison(DeadLetters.of(record,
                        config.consumerGroup(), "unprojectable", String.valueOf(failure)), String.valueOf(failure))))
                .chain(refused -> refused
                        .map(poison -> KafkaMessages.deadLetter(message, poison.deadLetter(), poison.why()))
                        .orElseGet(() -> Uni.createFrom().completionStage(message::ack)))
                .eventually(metrics::ended);
    }

    /**
     * Projects one record: empty once it is in the read model (or was already), else the dead letter it becomes.
     * Call it on a Vert.x context, as the connector does.
     */
    public Uni<Optional<Decoded.Poison>> apply(ConsumerRecord<String, byte[]> record) {
        if (record.topic().equals(Topics.deadLetter(Topics.COMMANDS))) {
            return refusal(record).replaceWith(Optional.empty());
        }
        Decoded decoded = Decoded.of(codec, record, config.consumerGroup());
        if (decoded instanceof Decoded.Poison poison) {
            LOG.warnf("dead-lettering a record to %s: %s", poison.deadLetter().topic(), poison.why());
            return Uni.createFrom().item(Optional.of(poison));
        }
        Event<?> event = ((Decoded.Readable) decoded).event();
        return untilTheDatabaseTakesIt(
                () -> database.withTransaction(session -> projector.project(session, event, record.topic())), event.id())
                .map(projected -> {
                    if (projected) {
                        metrics.projected(event);
                        live.publish(new Change(event.type(), Projector.deploymentSetOf(event.data()),
                                Summaries.of(event.data()), event.time()));
                    }
                    return Optional.<Decoded.Poison>empty();
                })
                .onFailure(Unprojectable.class).recoverWithItem(refused -> {
                    LOG.warnf("dead-lettering %s: the database refuses it: %s", event.id(), refused.getMessage());
                    return Optional.of(new Decoded.Poison(DeadLetters.of(record, config.consumerGroup(),
                            "unprojectable", refused.getMessage()), refused.getMessage()));
                });
    }

    /**
     * A dead letter of a command: what the original was (when it can be read) and who refused it. A dead letter
     * that does not say where it came from is not one of ours: skipped, never dead-lettered in its turn.
     */
    private Uni<Void> refusal(ConsumerRecord<String, byte[]> letter) {
        String topic = header(letter, DeadLetters.HEADER_TOPIC);
        if (topic == null) {
            LOG.warnf("skipping %s@%d: not a dead letter (no %s header)", letter.topic(), letter.offset(),
                    DeadLetters.HEADER_TOPIC);
            return Uni.createFrom().voidItem();
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
        return untilTheDatabaseTakesIt(() -> database.withTransaction(session -> projector.refused(session, refused, dead)),
                "the dead letter of " + origin)
                .invoke(projected -> {
                    if (projected) {
                        live.publish(new Change(Projector.REFUSED,
                                refused == null ? null : Projector.deploymentSetOf(refused.data()),
                                "refused by " + dead.consumer() + ": " + dead.message(), dead.at()));
                    }
                })
                .onFailure(Unprojectable.class).recoverWithItem(failed -> {
                    LOG.warnf("skipping the dead letter %s@%d of %s: %s", letter.topic(), letter.offset(), origin,
                            failed.getMessage());
                    return false;
                })
                .replaceWithVoid();
    }

    /**
     * Runs {@code work} in its own transaction until it commits, or until the database refuses it while it
     * answers (then fails with {@link Unprojectable}). Each attempt runs on the record's Vert.x context, where
     * Hibernate Reactive must run, also after a back-off delay on Mutiny's timer.
     */
    private Uni<Boolean> untilTheDatabaseTakesIt(Supplier<Uni<Boolean>> work, String what) {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Uni.createFrom().failure(new IllegalStateException("projecting " + what + " off a Vert.x context"));
        }
        Executor onContext = task -> context.runOnContext(ignored -> task.run());
        return Uni.createFrom().deferred(work::get)
                .runSubscriptionOn(onContext)
                // A database that stopped answering holds a query forever: give the attempt up, and try again.
                .ifNoItem().after(ATTEMPT).failWith(() -> new TimeoutException("no answer within " + ATTEMPT))
                .onFailure().recoverWithUni(failure -> notTheRecordsFault(failure).map(transientFailure -> {
                    if (transientFailure) {
                        metrics.retried();
                        LOG.warnf("the database could not take %s now (%s); trying again", what, failure.getMessage());
                        throw new TryAgain(failure);
                    }
                    throw new Unprojectable(failure);
                }))
                .onFailure(TryAgain.class).retry().withBackOff(FIRST_RETRY, LAST_RETRY).indefinitely();
    }

    private Uni<Boolean> notTheRecordsFault(Throwable failure) {
        if (isTransient(failure)) {
            return Uni.createFrom().item(true);
        }
        return database.withSession(session -> session.createNativeQuery("select 1").getSingleResult())
                .map(answered -> false)
                .onFailure().recoverWithItem(true);
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

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        // Headers are anyone's bytes: no control character reaches the database.
        return header == null ? null
                : new String(header.value(), StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}&&[^\\n\\t]]", "?");
    }

    private static final class TryAgain extends RuntimeException {
        TryAgain(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private static final class Unprojectable extends RuntimeException {
        Unprojectable(Throwable cause) {
            super(String.valueOf(cause.getMessage()), cause, false, false);
        }
    }
}
