package dev.slipway.agent.run;

import dev.slipway.agent.host.Activation;
import dev.slipway.agent.host.Generations;
import dev.slipway.agent.host.HealthCheck;
import dev.slipway.agent.host.Hooks;
import dev.slipway.agent.host.Supervisor;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.agent.rollout.SetFold;
import dev.slipway.cas.archive.SafeUntar;
import dev.slipway.cas.archive.UnsafeArchiveException;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import dev.slipway.cas.flag.FlagReader;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.cas.provenance.UntrustedProvenanceException;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.AgentState;
import dev.slipway.events.agent.Health;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.recipe.InvalidRecipeException;
import dev.slipway.events.recipe.Recipe;
import dev.slipway.events.recipe.RecipeJson;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.KafkaClients;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

/**
 * One host's agent. Reads its set's partition of {@code slipway.deployables} and {@code slipway.rollouts} by
 * manual assignment (every agent needs every event of its set), from the start, folding the rollout log into
 * {@link SetFold}; what the host runs is on its disk ({@link Generations}). After every poll it acts on the
 * difference: announce a rollout for a new deployable, claim a slot once the artifact is downloaded and
 * verified, switch when the fold grants the slot, roll back when the rollout aborts, report a peer silent past
 * its deadline. Its own appends come back through the log like anyone's, so it never acts on a decision
 * the log has not made. Restart-safe: the disk and the log are all it needs.
 */
public final class Agent implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Agent.class);
    private static final Duration RETRY = Duration.ofSeconds(2);
    /** Five tries over 15 s: long enough for a store to restart, short next to a rollout's slot deadline. */
    private static final int FETCH_ATTEMPTS = 5;
    private static final Duration FETCH_BACKOFF = Duration.ofSeconds(1);

    private final AgentSettings settings;
    private final BlobStore store;
    private final FlagReader flags;
    private final String bootstrapServers;
    private final Generations generations;
    private final Activation supervisor;
    private final HealthCheck health;
    private volatile SetFold fold;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final Clock clock = Clock.systemUTC();
    private final String source;
    private final Map<String, Recipe> recipes = new HashMap<>();
    /** What this agent appended and has not yet seen folded, so it never appends a step twice. */
    private final Set<String> appended = new HashSet<>();
    private final Map<String, String> problems = new HashMap<>();
    /** The latest refusal, reported in AgentState until a release installs. */
    private String problem;
    private Event<ArtifactDeployable> deployable;
    private volatile Instant downloadStarted;
    private Instant logTime;
    private AgentState lastState;
    private volatile boolean running = true;
    private volatile boolean stopServiceOnExit;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;

    public Agent(AgentSettings settings, BlobStore store, FlagReader flags, String bootstrapServers) throws IOException {
        this.settings = settings;
        this.store = store;
        this.flags = flags;
        this.bootstrapServers = bootstrapServers;
        this.generations = new Generations(settings.root(), settings.keepGenerations());
        this.supervisor = settings.hooks() != null
                ? new Hooks(settings.hooks(), settings.serviceEnvironment(), settings.root().resolve("service.log"))
                : new Supervisor(settings.serviceEnvironment(), settings.root().resolve("service.log"),
                        settings.root().resolve("service.pid"));
        this.health = new HealthCheck(settings.serviceEnvironment());
        this.fold = new SetFold(settings.deploymentSet());
        this.source = "/fleet-agent/" + settings.agentId();
    }

    /** The set's state as this agent has folded it (read on the agent's thread, or after it stopped). */
    public SetFold fold() {
        return fold;
    }

    public Optional<Digest> current() throws IOException {
        return generations.current();
    }

    /**
     * Runs until stopped. A failure (the broker or the disk, say) does not end the agent: it starts again
     * from the log and the disk, which hold everything it knows.
     */
    @Override
    public void run() {
        try {
            while (running) {
                try {
                    session();
                } catch (WakeupException stopping) {
                    return;
                } catch (IOException | ExecutionException | RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    LOG.errorf(e, "agent %s failed; starting again from the log and the disk in %s",
                            settings.agentId(), RETRY);
                    Thread.sleep(RETRY.toMillis());
                    fold = new SetFold(settings.deploymentSet());
                    appended.clear();
                    deployable = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (stopServiceOnExit) {
                stopService();
            }
        }
    }

    private void session() throws IOException, ExecutionException, InterruptedException {
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(bootstrapServers,
                "fleet-agent-" + settings.agentId(), Map.of());
                KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrapServers, Map.of())) {
            this.consumer = consumer;
            this.producer = producer;
            List<TopicPartition> partitions = List.of(partitionOf(consumer, Topics.ROLLOUTS),
                    partitionOf(consumer, Topics.DEPLOYABLES));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            catchUp(consumer, partitions);
            if (generations.current().isPresent() && !supervisor.running()) {
                supervisor.start(generations.currentDirectory());
            }
            if (!fold.members().containsKey(settings.agentId())) {
                append(new HostJoined(settings.deploymentSet(), settings.agentId(), settings.canary()));
            }
            publishState();
            while (running) {
                consumer.poll(Duration.ofMillis(200)).forEach(this::fold);
                act();
            }
        }
    }

    /**
     * Stops the agent's loop; the service keeps running unless {@code stopService} (a host leaving for good),
     * in which case the loop stops it on its way out, after any switch in progress, so none starts after.
     */
    public void stop(boolean stopService) {
        stopServiceOnExit = stopService;
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    private void stopService() {
        try {
            supervisor.drainAndStop(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(true);
    }

    private void catchUp(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        while (running && partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
            consumer.poll(Duration.ofMillis(200)).forEach(this::fold);
        }
    }

    private void fold(ConsumerRecord<String, byte[]> record) {
        if (!settings.deploymentSet().equals(record.key())) {
            return;
        }
        Event<?> event;
        try {
            event = codec.decode(record);
        } catch (EventDecodingException e) {
            LOG.warnf("skipping an undecodable record %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        Instant at = Instant.ofEpochMilli(record.timestamp());
        logTime = logTime == null || at.isAfter(logTime) ? at : logTime;
        if (record.topic().equals(Topics.ROLLOUTS)) {
            fold.apply(event, at);
        } else if (event.data() instanceof ArtifactDeployable d && d.channel().equals(settings.channel())) {
            @SuppressWarnings("unchecked")
            Event<ArtifactDeployable> latest = (Event<ArtifactDeployable>) event;
            deployable = latest;
        }
    }

    private void act() throws IOException, InterruptedException, ExecutionException {
        announceRollout();
        Rollout rollout = fold.rollout();
        if (rollout == null) {
            return;
        }
        String me = settings.agentId();
        Optional<Digest> current = generations.current();
        boolean onIt = current.isPresent() && current.get().toString().equals(rollout.artifact());
        if (rollout.holds(me) && appendOnce("switch/" + rollout.id())) {
            switchTo(rollout);
        } else if (rollout.status() == Rollout.Status.ABORTED && rollout.switched().contains(me) && onIt
                && appendOnce("rollback/" + rollout.id())) {
            rollBack(rollout, "rollout " + rollout.id() + " aborted: " + rollout.reason());
        } else if (claimable(rollout) && appendOnce("claim/" + rollout.id())) {
            append(new HostClaimed(settings.deploymentSet(), rollout.id(), me));
        }
        reportSilentPeers(rollout);
        announceEnd(rollout);
    }

    /** A new deployable for this set and channel: download and verify it, then announce the rollout. */
    private void announceRollout() throws ExecutionException, InterruptedException, IOException {
        Event<ArtifactDeployable> latest = deployable;
        if (latest == null) {
            return;
        }
        String rolloutId = UUID.nameUUIDFromBytes(("rollout/" + latest.id()).getBytes(StandardCharsets.UTF_8))
                .toString();
        if (!appendOnce("started/" + rolloutId)) {
            return;
        }
        ArtifactDeployable d = latest.data();
        Optional<String> problem = prepare(d);
        Recipe recipe = recipes.get(d.recipe());
        if (fold.rollout() == null || !fold.rollout().id().equals(rolloutId)) {
            RolloutPolicy policy = recipe == null ? new RolloutPolicy(1, 0, Duration.ofMinutes(10), Duration.ofSeconds(30))
                    : new RolloutPolicy(recipe.rollout().maxUnavailable(), recipe.rollout().failureTolerance(),
                            recipe.rollout().slotDeadline(), recipe.rollout().drainTimeout());
            append(new RolloutStarted(d.deploymentSet(), rolloutId, d.channel(), d.recipe(), d.artifact(), policy));
        }
        if (problem.isPresent()) {
            problems.put(d.artifact(), problem.get());
            this.problem = problem.get();
            LOG.errorf("agent %s refuses %s: %s", settings.agentId(), d.artifact(), problem.get());
            append(new HostFailed(d.deploymentSet(), rolloutId, settings.agentId(), problem.get(), settings.agentId()));
            publishState();
        }
    }

    /** When this agent last began fetching a release; for reaction-time measurements. */
    public Instant downloadStarted() {
        return downloadStarted;
    }

    /**
     * Downloads, verifies and unpacks the artifact and reads its recipe; empty when all is well. A store that
     * does not answer (restarting, say) is tried again with back-off before the host gives up on the release;
     * a blob that does not verify is refused at once.
     */
    private Optional<String> prepare(ArtifactDeployable d) {
        downloadStarted = clock.instant();
        Duration pause = FETCH_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                return fetch(d);
            } catch (IOException | RuntimeException e) {
                if (attempt == FETCH_ATTEMPTS) {
                    return Optional.of("cannot install " + d.artifact() + " (" + attempt + " attempts): " + e.getMessage());
                }
                LOG.warnf("agent %s could not fetch %s (attempt %d of %d, again in %s): %s", settings.agentId(),
                        d.artifact(), attempt, FETCH_ATTEMPTS, pause, e.getMessage());
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return Optional.of("interrupted while fetching " + d.artifact());
                }
                pause = pause.multipliedBy(2);
            }
        }
    }

    private Optional<String> fetch(ArtifactDeployable d) throws IOException {
        try {
            Digest recipeDigest = Digest.parse(d.recipe());
            Digest artifact = Digest.parse(d.artifact());
            try (InputStream in = store.open(recipeDigest)) {
                recipes.put(d.recipe(), RecipeJson.read(in.readAllBytes()));
            }
            Flags.Built built = flags.flagsOf(recipeDigest).built();
            if (built == null || !built.artifact().equals(artifact)) {
                return Optional.of("the store has no verified build of " + artifact + " from recipe " + recipeDigest);
            }
            try (InputStream envelope = store.open(built.provenance())) {
                Provenance provenance = Provenance.verify(envelope.readAllBytes(), settings.trustedBuilders());
                if (!provenance.artifact().equals(artifact)) {
                    return Optional.of("provenance is for " + provenance.artifact() + ", not " + artifact);
                }
            }
            try (InputStream in = store.open(artifact)) {
                generations.install(artifact, in, new SafeUntar(SafeUntar.Limits.DEFAULT));
            }
            return Optional.empty();
        } catch (DigestMismatchException e) {
            return Optional.of("a blob of " + d.artifact() + " does not match its digest: " + e.getMessage());
        } catch (UntrustedProvenanceException e) {
            return Optional.of("provenance does not verify: " + e.getMessage());
        } catch (InvalidRecipeException e) {
            return Optional.of("recipe " + d.recipe() + " is invalid: " + e.getMessage());
        } catch (UnsafeArchiveException e) {
            return Optional.of("the artifact " + d.artifact() + " is not a safe archive: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return Optional.of("the release names a malformed digest: " + e.getMessage());
        }
    }

    private boolean claimable(Rollout rollout) {
        String me = settings.agentId();
        boolean active = rollout.status() == Rollout.Status.RUNNING || rollout.status() == Rollout.Status.PAUSED
                || (rollout.status() == Rollout.Status.COMPLETED && fold.lastCompleted() == rollout);
        // A host already on the version claims too (a release of what it runs, after a rollback say): it takes
        // its turn without switching, and the rollout can complete.
        return active && fold.members().containsKey(me) && !rollout.claimed(me)
                && !problems.containsKey(rollout.artifact()) && generations.installed(Digest.parse(rollout.artifact()))
                && recipes.containsKey(rollout.recipe());
    }

    /** Holding a slot: drain, switch, start, check health; on failure go back to where this host was. */
    private void switchTo(Rollout rollout) throws IOException, InterruptedException, ExecutionException {
        String set = settings.deploymentSet();
        String me = settings.agentId();
        Recipe recipe = recipes.get(rollout.recipe());
        Optional<Digest> from = generations.current();
        if (from.isPresent() && from.get().toString().equals(rollout.artifact())) {
            confirmRunning(rollout, recipe);
            return;
        }
        boolean clean = supervisor.drainAndStop(rollout.policy().drainTimeout());
        append(new HostDrained(set, rollout.id(), me, clean));
        Digest to = Digest.parse(rollout.artifact());
        long generation = generations.switchTo(to);
        append(new HostSwitched(set, rollout.id(), me, from.map(Digest::toString).orElse(null), to.toString(),
                generation));
        Optional<String> sick;
        try {
            supervisor.start(generations.currentDirectory());
            publishState(Health.STARTING);
            sick = health.check(recipe.rollout().health());
        } catch (IOException e) {
            sick = Optional.of("cannot start the new version: " + e.getMessage());
        }
        if (sick.isEmpty()) {
            problem = null;
            append(new HostHealthy(set, rollout.id(), me));
            publishState(Health.HEALTHY);
            return;
        }
        LOG.warnf("agent %s: %s is unhealthy (%s); going back", me, to, sick.get());
        problem = to + " failed its health check: " + sick.get();
        rollBack(rollout, sick.get());
        append(new HostFailed(set, rollout.id(), me, sick.get(), me));
    }

    /** Already on the rollout's version: no drain, no switch; its health decides. */
    private void confirmRunning(Rollout rollout, Recipe recipe)
            throws IOException, ExecutionException, InterruptedException {
        String me = settings.agentId();
        Optional<String> sick = health.check(recipe.rollout().health());
        if (sick.isEmpty()) {
            append(new HostHealthy(settings.deploymentSet(), rollout.id(), me));
            publishState(Health.HEALTHY);
        } else {
            append(new HostFailed(settings.deploymentSet(), rollout.id(), me, sick.get(), me));
        }
    }

    private void rollBack(Rollout rollout, String why) throws IOException, InterruptedException, ExecutionException {
        Optional<Digest> previous = generations.previous();
        supervisor.drainAndStop(rollout.policy().drainTimeout());
        if (previous.isEmpty()) {
            LOG.warnf("agent %s: nothing to roll back to (%s); the service stays stopped", settings.agentId(), why);
            publishState(Health.UNHEALTHY);
            return;
        }
        generations.switchTo(previous.get());
        supervisor.start(generations.currentDirectory());
        publishState(Health.UNKNOWN);
        LOG.infof("agent %s rolled back to %s: %s", settings.agentId(), previous.get(), why);
    }

    /** Any agent that sees a slot held past its deadline says so on the log; the fold takes the first. */
    private void reportSilentPeers(Rollout rollout) throws ExecutionException, InterruptedException {
        Instant now = clock.instant();
        for (Map.Entry<String, Instant> held : rollout.holding().entrySet()) {
            if (!held.getKey().equals(settings.agentId())
                    && held.getValue().plus(rollout.policy().slotDeadline()).isBefore(now)
                    && appendOnce("silent/" + rollout.id() + "/" + held.getKey())) {
                append(new HostFailed(settings.deploymentSet(), rollout.id(), held.getKey(),
                        "silent past its slot deadline of " + rollout.policy().slotDeadline(), settings.agentId()));
            }
        }
    }

    /** The first member by name records the end, so the log says it once. */
    private void announceEnd(Rollout rollout) throws ExecutionException, InterruptedException {
        boolean first = fold.members().keySet().stream().sorted().findFirst().map(settings.agentId()::equals)
                .orElse(false);
        if (!first) {
            return;
        }
        if (rollout.status() == Rollout.Status.COMPLETED && appendOnce("completed/" + rollout.id())) {
            append(new RolloutCompleted(settings.deploymentSet(), rollout.id()));
        } else if (rollout.status() == Rollout.Status.ABORTED && appendOnce("aborted/" + rollout.id())) {
            append(new RolloutAborted(settings.deploymentSet(), rollout.id(), rollout.reason()));
        }
    }

    private boolean appendOnce(String step) {
        return appended.add(step);
    }

    private void append(SlipwayEvent data) throws ExecutionException, InterruptedException {
        producer.send(codec.encode(Topics.ROLLOUTS, Event.of(source, data))).get();
    }

    private void publishState() throws ExecutionException, InterruptedException, IOException {
        publishState(supervisor.running() ? Health.HEALTHY : Health.UNKNOWN);
    }

    private void publishState(Health now) throws ExecutionException, InterruptedException, IOException {
        AgentState state = new AgentState(settings.agentId(), settings.deploymentSet(), settings.channel(),
                generations.current().map(Digest::toString).orElse(null),
                generations.previous().map(Digest::toString).orElse(null), now, clock.instant(), problem);
        if (lastState != null && Objects.equals(lastState.current(), state.current())
                && lastState.health() == state.health() && Objects.equals(lastState.problem(), state.problem())) {
            return;
        }
        lastState = state;
        producer.send(codec.encode(Topics.AGENTS, Event.of(source, state))).get();
    }

    /** The partition the producer's default partitioner picks for this set's key. */
    private TopicPartition partitionOf(KafkaConsumer<String, byte[]> consumer, String topic) {
        int partitions = consumer.partitionsFor(topic).size();
        if (partitions == 0) {
            throw new IllegalStateException("topic " + topic + " does not exist; create the topics first");
        }
        byte[] key = settings.deploymentSet().getBytes(StandardCharsets.UTF_8);
        return new TopicPartition(topic, Utils.toPositive(Utils.murmur2(key)) % partitions);
    }
}
