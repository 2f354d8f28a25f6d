package dev.slipway.build.messaging;

import dev.slipway.build.BuildConfig;
import dev.slipway.build.run.Builder;
import dev.slipway.build.run.Outcome;
import dev.slipway.cas.digest.Digest;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.build.BuildFailed;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.build.BuildStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.ConsumerThread;
import dev.slipway.events.wire.Decoded;
import dev.slipway.events.wire.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Takes {@code BuildRequested} from {@code slipway.builds} and announces the outcome: {@code BuildStarted}, then
 * {@code ArtifactBuilt} on {@code slipway.artifacts} or {@code BuildFailed}. One consumer per concurrent build
 * (same group), one record per poll; a request's offset is committed only after its outcome is acknowledged
 * by the broker, so a builder that dies mid-build leaves the request to be taken again. Announcements derive
 * their ids from the request's id, so a request delivered twice announces the same events twice, which
 * readers drop by id; the action cache makes the repeat cheap. A record that is not a valid event goes to
 * {@code slipway.builds.dlq} with the reason, and the loop carries on.
 */
@Singleton
public final class BuildLoop {

    private static final Logger LOG = Logger.getLogger(BuildLoop.class);
    private static final int RECENT_IDS = 10_000;

    private final BuildConfig config;
    private final Builder builder;
    private final String bootstrapServers;
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
    private final List<ConsumerThread> threads = new ArrayList<>();
    private KafkaProducer<String, byte[]> producer;

    @Inject
    public BuildLoop(BuildConfig config, Builder builder,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.builder = builder;
        this.bootstrapServers = bootstrapServers;
        this.source = "/build-service/" + config.builderId();
    }

    void start(@Observes StartupEvent started) {
        if (!config.enabled()) {
            return;
        }
        producer = newProducer();
        for (int i = 0; i < config.concurrency(); i++) {
            threads.add(ConsumerThread.start("build-" + (i + 1), this::newConsumer, this::build));
        }
    }

    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        for (ConsumerThread thread : threads) {
            thread.stop();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** One request at a time: built, announced, then its offset committed. */
    private void build(KafkaConsumer<String, byte[]> consumer, ConsumerThread.Running running) {
        consumer.subscribe(List.of(Topics.BUILDS));
        while (running.get()) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                try {
                    for (ProducerRecord<String, byte[]> out : handle(record)) {
                        producer.send(out).get();
                    }
                } catch (ExecutionException e) {
                    throw new IllegalStateException("cannot announce the outcome of " + record.topic() + "-"
                            + record.partition() + "@" + record.offset(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1)));
            }
        }
    }

    /** What to publish for one record; the build itself runs here, on this consumer's thread. */
    private List<ProducerRecord<String, byte[]>> handle(ConsumerRecord<String, byte[]> record) throws InterruptedException,
            ExecutionException {
        Decoded decoded = Decoded.of(codec, record, config.consumerGroup());
        if (decoded instanceof Decoded.Poison poison) {
            LOG.warnf("dead-lettering %s", poison.why());
            return List.of(poison.deadLetter());
        }
        Event<?> event = ((Decoded.Readable) decoded).event();
        if (!(event.data() instanceof BuildRequested request) || done.contains(event.id())) {
            return List.of();
        }
        producer.send(codec.encode(derived(event, "started",
                new BuildStarted(request.recipe(), config.builderId(), builder.hermetic())))).get();
        LOG.infof("building %s for %s (request %s)", request.recipe(), request.requestedBy(), event.id());
        Outcome outcome = builder.build(Digest.parse(request.recipe()), event.id());
        done.add(event.id());
        return List.of(codec.encode(announcement(event, outcome)));
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

    private KafkaConsumer<String, byte[]> newConsumer() {
        return KafkaClients.consumer(bootstrapServers, config.consumerGroup(), Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
                // A build runs between two polls: the group must not count a long build as a dead member.
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) config.maxBuildTime().plusMinutes(1).toMillis()));
    }

    private KafkaProducer<String, byte[]> newProducer() {
        return KafkaClients.producer(bootstrapServers, Map.of());
    }
}
