package dev.slipway.release;

import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.AgentState;
import dev.slipway.events.agent.Health;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.build.BuildStarted;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.testsupport.kafka.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Events about one deployment set, as the services would emit them, with a unique set name per story so tests
 * sharing a broker and a database never see each other's rows. Times advance one second per event.
 */
public final class SetStory {

    public static final RolloutPolicy POLICY = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(30));

    public final String set;
    public final String recipe;
    public final String artifact;
    public final String oldArtifact;
    public final String provenance;
    private final List<Event<?>> events = new ArrayList<>();
    private Instant clock = Instant.parse("2026-11-25T10:00:00Z");
    private int published;

    public SetStory(String prefix) {
        this.set = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.recipe = digestOf(set + "/recipe");
        this.artifact = digestOf(set + "/artifact");
        this.oldArtifact = digestOf(set + "/old-artifact");
        this.provenance = digestOf(set + "/provenance");
    }

    public static String digestOf(String text) {
        try {
            return "sha256:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String host(int i) {
        return set + "-host-" + i;
    }

    public String rolloutId() {
        return set + "-r1";
    }

    public SetStory add(SlipwayEvent data) {
        clock = clock.plusSeconds(1);
        events.add(new Event<>(UUID.randomUUID().toString(), "/test/" + set, clock, data));
        return this;
    }

    /** A build, its flag, hosts running the old version, and a rollout that starts. */
    public SetStory builtFlaggedAndStarted(int hosts) {
        return builtFlaggedAndStarted(hosts, POLICY);
    }

    /** The same, under {@code policy}. */
    public SetStory builtFlaggedAndStarted(int hosts, RolloutPolicy policy) {
        add(new BuildRequested(recipe, "ci:pipeline-7"));
        add(new BuildStarted(recipe, "builder-1", true));
        add(new ArtifactBuilt(artifact, recipe, set, Map.of("src", digestOf(set + "/src")), provenance, "c2ln",
                digestOf(set + "/log"), "builder-1", true, false));
        add(new ArtifactDeployable(set, "production", recipe, artifact, "operator:alice"));
        for (int i = 0; i < hosts; i++) {
            add(new HostJoined(set, host(i), i == 0));
            add(state(i, oldArtifact, digestOf(set + "/older"), Health.HEALTHY));
        }
        return add(new RolloutStarted(set, rolloutId(), "production", recipe, artifact, policy));
    }

    public SetStory hostSwitched(int i, Health health) {
        add(new HostClaimed(set, rolloutId(), host(i)));
        add(new HostDrained(set, rolloutId(), host(i), true));
        add(new HostSwitched(set, rolloutId(), host(i), oldArtifact, artifact, 2));
        add(state(i, artifact, oldArtifact, health));
        return health == Health.HEALTHY ? add(new HostHealthy(set, rolloutId(), host(i))) : this;
    }

    /**
     * A 5-host rollout: three hosts switch and pass, the fourth fails its health check, the rollout aborts and
     * every switched host goes back; an operator's rollback request is on the log too.
     */
    public SetStory rolloutWithOneFailureAndARollback() {
        builtFlaggedAndStarted(5);
        hostSwitched(0, Health.HEALTHY).hostSwitched(1, Health.HEALTHY).hostSwitched(2, Health.HEALTHY);
        hostSwitched(3, Health.UNHEALTHY);
        add(new HostFailed(set, rolloutId(), host(3), "health check failed: 503 from /healthz", host(3)));
        add(new RolloutAborted(set, rolloutId(), "1 host(s) failed, more than the tolerance of 0"));
        add(new RollbackRequested(set, rolloutId(), "operator:alice", "canary errors"));
        for (int i = 0; i < 4; i++) {
            add(state(i, oldArtifact, artifact, Health.HEALTHY));
        }
        return this;
    }

    public AgentState state(int i, String current, String previous, Health health) {
        return new AgentState(host(i), set, "production", current, previous, health, clock.plusSeconds(1), null);
    }

    public List<Event<?>> events() {
        return List.copyOf(events);
    }

    /** Publishes the events added since the last call, in order, and waits for the broker's acknowledgements. */
    public void publish(KafkaBroker kafka) {
        publish(kafka, events.subList(published, events.size()));
        published = events.size();
    }

    public static void publish(KafkaBroker kafka, List<Event<?>> events) {
        CloudEventCodec codec = new CloudEventCodec();
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            for (Event<?> event : events) {
                // A rollback travels on two topics; in a set's story it is the log entry the agents act on.
                producer.send(event.data() instanceof RollbackRequested
                        ? codec.encode(Topics.ROLLOUTS, event) : codec.encode(event)).get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish the story", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
