package dev.slipway.build.messaging;

import dev.slipway.build.BuildConfig;
import dev.slipway.build.run.Builder;
import dev.slipway.build.run.Outcome;
import dev.slipway.cas.digest.Digest;
import dev.slipway.events.Event;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.build.BuildFailed;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.build.BuildStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.events.wire.Decoded;
import dev.slipway.messaging.KafkaMessages;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Takes {@code BuildRequested} from {@code slipway.builds} and announces the outcome: {@code BuildStarted}, then
 * {@code ArtifactBuilt} on {@code slipway.artifacts} or {@code BuildFailed}. On SmallRye's Kafka connector: the
 * channel {@value #CHANNEL} has one copy per concurrent build ({@code slipway.build.concurrency}), each with its own
 * consumer in the builder's group, and the build runs on a worker thread. A request is acknowledged, and its offset
 * committed, only after its outcome is on the broker, so a builder that dies mid-build leaves the request to be
 * taken again; an announcement the broker does not take is sent again, with back-off. Announcements derive their
 * ids from the request's id, so a request delivered twice announces the same events twice, which readers drop by
 * id; the action cache makes the repeat cheap. A record that is not a valid event goes to
 * {@code slipway.builds.dlq} with the reason (the connector's dead-letter-queue strategy, our headers).
 */
@ApplicationScoped
public class BuildLoop {

    public static final String CHANNEL = "slipway-builds";
    public static final String OUTCOMES = "slipway-build-outcomes";
    private static final Logger LOG = Logger.getLogger(BuildLoop.class);
    private static final int RECENT_IDS = 10_000;

    private final BuildConfig config;
    private final Builder builder;
    private final String source;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final Clock clock = Clock.systemUTC();
    /** Requests whose outcome is acknowledged, so a duplicate delivery builds nothing. */
    private final Set<String> done = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > RECENT_IDS;
                }
            }));

    @Inject
    @Channel(OUTCOMES)
    MutinyEmitter<byte[]> outcomes;

    @Inject
    public BuildLoop(BuildConfig config, Builder builder) {
        this.config = config;
        this.builder = builder;
        this.source = "/build-service/" + config.builderId();
    }

    /** One request at a time per copy of the channel: built, announced, then acknowledged. */
    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> build(Message<byte[]> message) throws InterruptedException {
        ConsumerRecord<String, byte[]> record = KafkaMessages.record(message);
        Decoded decoded = Decoded.of(codec, record, config.consumerGroup());
        if (decoded instanceof Decoded.Poison poison) {
            LOG.warnf("dead-lettering %s", poison.why());
            return KafkaMessages.deadLetter(message, poison.deadLetter(), poison.why()).subscribeAsCompletionStage();
        }
        Event<?> event = ((Decoded.Readable) decoded).event();
        if (event.data() instanceof BuildRequested request && !done.contains(event.id())) {
            announce(codec.encode(derived(event, "started",
                    new BuildStarted(request.recipe(), config.builderId(), builder.hermetic()))));
            LOG.infof("building %s for %s (request %s)", request.recipe(), request.requestedBy(), event.id());
            Outcome outcome;
            try {
                outcome = builder.build(Digest.parse(request.recipe()), event.id());
            } catch (RuntimeException unexpected) {
                // The builder turns every failure of a build into an outcome; what escapes it is a defect that
                // would recur on every delivery: dead-lettered with our headers, not retried forever.
                LOG.errorf(unexpected, "dead-lettering request %s", event.id());
                return KafkaMessages.deadLetter(message, DeadLetters.of(record, config.consumerGroup(), "failed",
                        String.valueOf(unexpected)), String.valueOf(unexpected)).subscribeAsCompletionStage();
            }
            announce(codec.encode(announcement(event, outcome)));
            done.add(event.id());
        }
        return message.ack();
    }

    /** Blocks until the broker has the record, sending it again while it does not. */
    private void announce(ProducerRecord<String, byte[]> record) {
        Uni.createFrom().deferred(() -> outcomes.sendMessage(KafkaMessages.of(record)))
                .onFailure().invoke(failure -> LOG.warnf("cannot announce on %s (%s); trying again", record.topic(),
                        failure.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .await().indefinitely();
    }

    private Event<?> announcement(Event<?> request, Outcome outcome) {
        if (outcome instanceof Outcome.Built built) {
            Map<String, String> inputs = new TreeMap<>();
            built.inputs().forEach((name, digest) -> inputs.put(name, digest.toString()));
            LOG.infof("built %s -> %s%s", built.recipe(), built.artifact(), built.cacheHit() ? " (action cache)" : "");
            return derived(request, "outcome", new ArtifactBuilt(built.artifact().toString(), built.recipe().toString(),
                    built.deploymentSet(), inputs, built.provenance().toString(), built.signature(),
                    built.log().toString(), config.builderId(), built.hermetic(), built.cacheHit()));
        }
        Outcome.Failed failed = (Outcome.Failed) outcome;
        LOG.warnf("build of %s failed: %s", failed.recipe(), failed.reason());
        return derived(request, "outcome", new BuildFailed(failed.recipe().toString(), config.builderId(),
                failed.reason(), failed.log() == null ? null : failed.log().toString(), failed.hermetic()));
    }

    /**
     * Ids derive from the request and this builder: every builder of a set builds each request (their
     * outcomes must not look like duplicates of one another), and the same builder again announces the same ids.
     */
    private <T extends dev.slipway.events.SlipwayEvent> Event<T> derived(Event<?> cause, String what, T data) {
        return Event.causedBy(cause, what + "/" + config.builderId(), source, clock.instant(), data);
    }
}
