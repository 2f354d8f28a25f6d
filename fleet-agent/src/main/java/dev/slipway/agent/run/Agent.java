package dev.slipway.agent.run;

import dev.slipway.agent.host.Activation;
import dev.slipway.agent.host.Generations;
import dev.slipway.agent.host.HealthCheck;
import dev.slipway.agent.host.Hooks;
import dev.slipway.agent.host.SwitchHooks;
import dev.slipway.agent.host.Supervisor;
import dev.slipway.agent.rollout.Checkpointer;
import dev.slipway.agent.rollout.Decisions;
import dev.slipway.agent.rollout.HostView;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.agent.rollout.SetFold;
import dev.slipway.agent.rollout.Step;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagReader;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.AgentState;
import dev.slipway.events.agent.Health;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.events.recipe.Recipe;
import dev.slipway.events.rollout.HookRan;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.PrerequisiteMet;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.KafkaClients;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

/**
 * One host's agent: the thin shell around {@link Decisions}. Reads its set's partition of
 * {@code slipway.deployables} and {@code slipway.rollouts} by manual assignment (every agent needs every event
 * of its set), from the start, folding the rollout log into {@link SetFold}; what the host runs is on its disk
 * ({@link Generations}). After every poll it asks {@link Decisions#next} what to do and carries each
 * {@link Step} out: append an event, prepare a release, take or give back a slot. Its own appends come back
 * through the log like anyone's, so it never acts on a decision the log has not made. Restart-safe: the disk
 * and the log are all it needs. Runs on its own thread.
 */
public final class Agent implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Agent.class);
    private static final Duration RESTART = Duration.ofSeconds(2);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);
    /** How often an agent says it is alive; the console calls a host stale after three missed. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(30);
    /** The largest record an agent writes: a checkpoint; {@code slipway.rollouts} must accept it. */
    public static final int CHECKPOINT_BYTES = 8 * 1024 * 1024;

    private final AgentSettings settings;
    private final String bootstrapServers;
    private final Generations generations;
    private final Activation service;
    private final HealthCheck health;
    private final Preparation preparation;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final Clock clock = Clock.systemUTC();
    private final String source;
    private final String instance = UUID.randomUUID().toString();
    private volatile SetFold fold;
    private Checkpointer checkpointer;
    private TopicPartition rollouts;
    private ChannelStateView channelState;
    private String lastReport;
    /** What this host knows beyond the log; see {@link HostView}. */
    private final Map<String, Recipe> recipes = new HashMap<>();
    private final Set<String> prepared = new HashSet<>();
    private final Map<String, String> refused = new HashMap<>();
    private final Map<String, Instant> retryAt = new HashMap<>();
    private final Map<String, Duration> retryPause = new HashMap<>();
    private final Map<String, Instant> done = new HashMap<>();
    /** The latest thing an operator should know about this host, reported in AgentState until a release installs. */
    private String problem;
    private volatile Instant downloadStarted;
    private volatile Startup startup;
    private AgentState lastState;
    private volatile boolean running = true;
    private volatile boolean stopServiceOnExit;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private FollowedSets followed;
    /** The operator's commands around a switch; null when none are configured. */
    private final SwitchHooks switchHooks;

    public Agent(AgentSettings settings, BlobStore store, FlagReader flags, String bootstrapServers) throws IOException {
        this.settings = settings;
        this.bootstrapServers = bootstrapServers;
        this.generations = new Generations(settings.root(), settings.keepGenerations());
        generations.discarded().forEach(artifact -> LOG.warnf("agent %s removed the tree of %s: it has no seal or "
                + "differs from it (installed by an older agent, cut short by a power loss, or changed since); it is "
                + "fetched again when needed", settings.agentId(), artifact));
        this.service = settings.hooks() != null
                ? new Hooks(settings.hooks(), settings.serviceEnvironment(), settings.root().resolve("service.log"))
                : new Supervisor(settings.serviceEnvironment(), settings.root().resolve("service.log"),
                        settings.root().resolve("service.pid"));
        this.switchHooks = settings.switchHooks() == null ? null : new SwitchHooks(settings.switchHooks(),
                settings.serviceEnvironment(), settings.root().resolve("hook.log"));
        this.health = new HealthCheck(settings.serviceEnvironment());
        this.preparation = new Preparation(store, flags, generations, settings.trustedBuilders(),
                settings.requiredBuilders());
        this.fold = new SetFold(settings.deploymentSet());
        this.source = "/fleet-agent/" + settings.agentId();
    }

    private ChannelStateView newChannelState() throws IOException {
        return new ChannelStateView(settings.deploymentSet(), settings.channel(), settings.releaseKeys(),
                settings.root());
    }

    /** The set's state as this agent has folded it (read on the agent's thread, or after it stopped). */
    public SetFold fold() {
        return fold;
    }

    public Optional<Digest> current() throws IOException {
        return generations.current();
    }

    /**
     * How the latest start of this agent's session went: from its start to caught up with its set's partitions,
     * and how many records it read on the way (its set's and others'). Null until the first start caught up.
     */
    public record Startup(Duration took, long recordsRead) {
    }

    /** The latest start; null before it caught up. For the start-up benchmark and operators' logs. */
    public Startup startup() {
        return startup;
    }

    /** When this agent last began fetching a release; for reaction-time measurements. */
    public Instant downloadStarted() {
        return downloadStarted;
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
                            settings.agentId(), RESTART);
                    Thread.sleep(RESTART.toMillis());
                    done.clear();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (stopServiceOnExit) {
                stopService();
            } else {
                service.leaveRunning();
            }
        }
    }

    private void session() throws IOException, ExecutionException, InterruptedException {
        channelState = newChannelState();
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(bootstrapServers,
                "fleet-agent-" + settings.agentId(), Map.of());
                KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrapServers, Map.of(
                        // A checkpoint of a big set is large: compressed, and allowed up to the topic's limit.
                        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, CHECKPOINT_BYTES));
                FollowedSets followed = new FollowedSets(bootstrapServers, settings.agentId())) {
            this.consumer = consumer;
            this.producer = producer;
            this.followed = followed;
            Instant began = clock.instant();
            rollouts = partitionOf(consumer, Topics.ROLLOUTS);
            TopicPartition deployables = partitionOf(consumer, Topics.DEPLOYABLES);
            NewestRecord search = new NewestRecord(consumer);
            long rolloutsFrom = startFromCheckpoint(search);
            long deployablesFrom = startFromChannelState(search, deployables);
            List<TopicPartition> partitions = List.of(rollouts, deployables);
            consumer.assign(partitions);
            consumer.seek(rollouts, rolloutsFrom);
            consumer.seek(deployables, deployablesFrom);
            long caughtUp = catchUp(consumer, partitions);
            startup = new Startup(Duration.between(began, clock.instant()), search.read() + caughtUp);
            LOG.infof("agent %s caught up with set %s in %d ms, reading %d records", settings.agentId(),
                    settings.deploymentSet(), startup.took().toMillis(), startup.recordsRead());
            startService();
            publishState();
            while (running) {
                consumer.poll(Duration.ofMillis(200)).forEach(this::fold);
                for (Step step : Decisions.next(fold, view())) {
                    carryOut(step);
                }
                checkpoint(consumer.position(rollouts));
                if (!Objects.equals(lastReport, channelState.report(clock.instant(), running())) || heartbeatDue()) {
                    publishState(lastState == null ? Health.UNKNOWN : lastState.health());
                }
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
            service.drainAndStop(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(true);
    }

    /**
     * Restores the fold from the newest checkpoint of the set that this agent can read, and says where to read
     * on; the partition's beginning when there is none.
     */
    private long startFromCheckpoint(NewestRecord search) {
        checkpointer = Checkpointer.standard(settings.checkpointRecords());
        long beginning = search.beginning(rollouts);
        Optional<NewestRecord.Found<SetCheckpointed>> newest = search.find(rollouts, record -> {
            Event<?> event = ofSet(record);
            if (event == null || !(event.data() instanceof SetCheckpointed checkpoint)) {
                return null;
            }
            try {
                Checkpointer.restore(checkpoint, settings.deploymentSet());
                return checkpoint;
            } catch (IllegalArgumentException e) {
                LOG.warnf("agent %s skips the checkpoint at %s-%d@%d: %s", settings.agentId(), record.topic(),
                        record.partition(), record.offset(), e.getMessage());
                return null;
            }
        });
        if (newest.isEmpty()) {
            if (beginning > 0) {
                LOG.warnf("agent %s: the log of set %s begins at offset %d (older records were deleted) and holds "
                        + "no checkpoint of it: a new set has none yet; an older one may miss members that joined "
                        + "before, until they start again", settings.agentId(), settings.deploymentSet(), beginning);
            }
            fold = new SetFold(settings.deploymentSet());
            return beginning;
        }
        SetCheckpointed checkpoint = newest.get().value();
        fold = Checkpointer.restore(checkpoint, settings.deploymentSet());
        checkpointer.seen(checkpoint, Instant.ofEpochMilli(newest.get().timestamp()));
        if (beginning > checkpoint.readTo()) {
            LOG.warnf("agent %s: records %d..%d after the newest checkpoint of set %s were deleted; retention must "
                    + "keep more than %s of history", settings.agentId(), checkpoint.readTo(), beginning - 1,
                    settings.deploymentSet(), Checkpointer.REFRESH);
        }
        LOG.infof("agent %s starts from the checkpoint of set %s at offset %d (%d records folded)", settings.agentId(),
                settings.deploymentSet(), checkpoint.offset(), fold.records());
        return Math.max(beginning, checkpoint.readTo());
    }

    /** Where the newest channel state of the set that verifies is: the deployables before it say nothing more. */
    private long startFromChannelState(NewestRecord search, TopicPartition deployables) {
        Optional<NewestRecord.Found<ChannelStateSigned>> newest = search.find(deployables, record -> {
            Event<?> event = ofSet(record);
            return event != null && event.data() instanceof ChannelStateSigned signed && channelState.verifies(signed)
                    ? signed : null;
        });
        return newest.map(NewestRecord.Found::offset).orElseGet(() -> search.beginning(deployables));
    }

    /** Writes a checkpoint when one is due; one that cannot be written is said, and changes nothing else. */
    private void checkpoint(long readTo) throws InterruptedException {
        Optional<SetCheckpointed> due = checkpointer.due(fold, settings.agentId(), clock.instant(), readTo);
        if (due.isEmpty()) {
            return;
        }
        try {
            producer.send(codec.encode(Topics.ROLLOUTS, Event.of(source, due.get()))).get();
        } catch (ExecutionException e) {
            LOG.warnf("agent %s could not write a checkpoint of set %s at offset %d: %s", settings.agentId(),
                    settings.deploymentSet(), due.get().offset(), e.getCause());
        }
    }

    /** Folds up to the ends the partitions had when it began; returns how many records it read. */
    private long catchUp(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        long read = 0;
        while (running && partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
            records.forEach(this::fold);
            read += records.count();
        }
        return read;
    }

    private void fold(ConsumerRecord<String, byte[]> record) {
        Event<?> event = ofSet(record);
        if (event == null) {
            return;
        }
        if (record.topic().equals(Topics.ROLLOUTS)) {
            if (event.data() instanceof SetCheckpointed checkpoint) {
                checkpointer.seen(checkpoint, Instant.ofEpochMilli(record.timestamp()));
            }
            fold.apply(event, Instant.ofEpochMilli(record.timestamp()), record.offset());
        } else if (event.data() instanceof ChannelStateSigned signed) {
            // ArtifactDeployable records are only news: what the set may run is what its signed state says.
            channelState.offer(signed, record.offset());
        }
    }

    /** The event of a record of this agent's set; null for another set's, or one that does not decode. */
    private Event<?> ofSet(ConsumerRecord<String, byte[]> record) {
        if (!settings.deploymentSet().equals(record.key())) {
            return null;
        }
        try {
            return codec.decode(record);
        } catch (EventDecodingException e) {
            LOG.warnf("skipping an undecodable record %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }

    private HostView view() throws IOException {
        Map<String, RolloutPolicy> policies = new HashMap<>();
        recipes.forEach((digest, recipe) -> policies.put(digest, recipe.rollout().policy()));
        return new HostView(settings.agentId(), instance, settings.canary(), settings.rejoin(),
                running(), generations.installedArtifacts(), policies, prepared, refused, retryAt, done,
                channelState.released(clock.instant()), clock.instant());
    }

    private String running() {
        try {
            return generations.current().map(Digest::toString).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void carryOut(Step step) throws IOException, InterruptedException, ExecutionException {
        done.put(step.key(), clock.instant());
        if (step instanceof Step.Append append) {
            append(append.event(), append.eventId());
        } else if (step instanceof Step.Prepare prepare) {
            prepare(prepare);
        } else if (step instanceof Step.TakeSlot slot) {
            takeSlot(slot.rollout(), slot.switchedBefore());
        } else if (step instanceof Step.GoBack back) {
            goBack(back.rollout());
        } else if (step instanceof Step.CheckPrerequisite check) {
            checkPrerequisite(check);
        } else if (step instanceof Step.StandAside aside) {
            LOG.errorf("agent %s stands aside: %s", settings.agentId(), aside.why());
            problem = aside.why();
            publishState();
        }
    }

    /** Says on the set's log that a set its rollout follows completed what it waits for, once it has. */
    private void checkPrerequisite(Step.CheckPrerequisite check) throws ExecutionException, InterruptedException {
        String set = check.after().split("@", 2)[0];
        Rollout completed;
        try {
            completed = followed.lastCompleted(set);
        } catch (KafkaException e) {
            LOG.warnf("agent %s cannot read the log of set %s, which its rollout follows: %s; looking again in %s",
                    settings.agentId(), set, e.getMessage(), Decisions.PREREQUISITE_POLL);
            return;
        }
        boolean met = completed != null && (check.after().contains("@")
                ? check.after().endsWith("@" + completed.recipe())
                : check.release() != null && check.release().equals(completed.policy().release()));
        if (met) {
            append(new PrerequisiteMet(settings.deploymentSet(), check.rolloutId(), check.after(), completed.id(),
                    completed.recipe(), settings.agentId()), Decisions.prerequisiteIdOf(check.rolloutId(), check.after()));
        }
    }

    private void prepare(Step.Prepare step) throws ExecutionException, InterruptedException, IOException {
        downloadStarted = clock.instant();
        Preparation.Outcome outcome = preparation.prepare(step.recipe(), step.artifact(),
                recipe -> recipes.put(step.recipe(), recipe));
        done.remove(step.key());
        if (outcome instanceof Preparation.Outcome.Ready) {
            prepared.add(step.rolloutId());
            retryAt.remove(step.rolloutId());
            retryPause.remove(step.rolloutId());
            return;
        }
        if (outcome instanceof Preparation.Outcome.Refused refusal) {
            LOG.errorf("agent %s refuses %s: %s", settings.agentId(), step.artifact(), refusal.why());
            refused.put(step.rolloutId(), refusal.why());
            problem = refusal.why();
        } else if (outcome instanceof Preparation.Outcome.Unavailable unavailable) {
            Duration pause = retryPause.getOrDefault(step.rolloutId(), FIRST_RETRY);
            LOG.warnf("agent %s: %s; trying again in %s", settings.agentId(), unavailable.why(), pause);
            retryAt.put(step.rolloutId(), clock.instant().plus(pause));
            retryPause.put(step.rolloutId(), pause.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY
                    : pause.multipliedBy(2));
            problem = unavailable.why();
        }
        publishState();
    }

    /** Holding a slot: drain, switch, start, check health; on failure go back to where this host was. */
    private void takeSlot(Rollout rollout, boolean switchedBefore)
            throws IOException, InterruptedException, ExecutionException {
        String set = settings.deploymentSet();
        String me = settings.agentId();
        Recipe.HealthCheck check = recipes.get(rollout.recipe()).rollout().health();
        Optional<Digest> from = generations.current();
        Optional<String> sick;
        if (from.isPresent() && from.get().toString().equals(rollout.artifact())) {
            // Already on it: a release of what it runs, or back after a crash in the middle of this switch.
            sick = health.check(check);
            if (sick.isPresent() && !switchedBefore) {
                append(new HostFailed(set, rollout.id(), me, sick.get(), me), null);
                publishState(Health.UNHEALTHY);
                return;
            }
        } else {
            Optional<String> refused = hook(HookRan.BEFORE_DRAIN, rollout, from.map(Digest::toString).orElse(null),
                    rollout.artifact());
            if (refused.isPresent()) {
                // Nothing drained or switched: the host keeps its version, failed as a failed health check fails it.
                problem = rollout.artifact() + " not taken: " + refused.get();
                append(new HostFailed(set, rollout.id(), me, refused.get(), me), null);
                publishState();
                return;
            }
            boolean clean = service.drainAndStop(rollout.policy().drainTimeout());
            append(new HostDrained(set, rollout.id(), me, clean), null);
            Digest to = Digest.parse(rollout.artifact());
            // Said before the switch, so that a crash right after it still leaves this host known as switched.
            append(new HostSwitched(set, rollout.id(), me, from.map(Digest::toString).orElse(null), to.toString(),
                    generations.nextNumber()), null);
            generations.switchTo(to, pinned());
            sick = startAndCheck(check);
            if (sick.isEmpty()) {
                sick = hook(HookRan.AFTER_HEALTHY, rollout, from.map(Digest::toString).orElse(null),
                        rollout.artifact());
            }
        }
        if (sick.isEmpty()) {
            problem = null;
            append(new HostHealthy(set, rollout.id(), me), null);
            publishState(Health.HEALTHY);
            return;
        }
        LOG.warnf("agent %s: %s is unhealthy (%s); going back", me, rollout.artifact(), sick.get());
        problem = rollout.artifact() + " failed its health check: " + sick.get();
        returnFrom(rollout);
        append(new HostFailed(set, rollout.id(), me, sick.get(), me), null);
    }

    /** Holding a slot to go back after an abort (or a failure the log decided while this host was away). */
    private void goBack(Rollout rollout) throws IOException, InterruptedException, ExecutionException {
        String set = settings.deploymentSet();
        String me = settings.agentId();
        Optional<String> sick = generations.current().map(Digest::toString).filter(rollout.artifact()::equals).isPresent()
                ? returnFrom(rollout)
                : Optional.empty();
        if (sick.isEmpty()) {
            append(new HostHealthy(set, rollout.id(), me), null);
        } else {
            append(new HostFailed(set, rollout.id(), me, "going back: " + sick.get(), me), null);
        }
    }

    /** Starts the current version unless it runs; restarts it when it ran from a tree found damaged at start. */
    private void startService() throws IOException, ExecutionException, InterruptedException {
        Optional<Digest> current = generations.current();
        if (current.isEmpty()) {
            return;
        }
        boolean damaged = !generations.installed(current.get());
        if (!whole(current.get())) {
            return;
        }
        if (damaged && service.running()) {
            service.drainAndStop(Duration.ofSeconds(5));
        }
        if (!service.running()) {
            service.start(generations.currentDirectory());
        }
    }

    /**
     * Whether the artifact's tree is on the disk, installing it again when a check at start found it damaged;
     * false (and said) when the store cannot give it back now or at all.
     */
    private boolean whole(Digest artifact) throws IOException, ExecutionException, InterruptedException {
        if (generations.installed(artifact)) {
            return true;
        }
        LOG.warnf("agent %s: the tree of %s it runs was removed at start (no seal, or not what it sealed); fetching "
                + "it again", settings.agentId(), artifact);
        Preparation.Outcome outcome = preparation.install(artifact);
        if (outcome instanceof Preparation.Outcome.Ready) {
            return true;
        }
        String why = outcome instanceof Preparation.Outcome.Refused refused ? refused.why()
                : ((Preparation.Outcome.Unavailable) outcome).why();
        problem = "the tree of " + artifact + " on disk was damaged and cannot be fetched again: " + why;
        LOG.error(problem);
        publishState(Health.UNHEALTHY);
        if (outcome instanceof Preparation.Outcome.Unavailable) {
            throw new IOException(problem);
        }
        return false;
    }

    /** Drains the rollout's version and starts the one before it; empty when that one answers its health check. */
    private Optional<String> returnFrom(Rollout rollout) throws IOException, InterruptedException, ExecutionException {
        Optional<Digest> previous = generations.previous();
        if (previous.isPresent() && !whole(previous.get())) {
            return Optional.of("the version to go back to, " + previous.get() + ", is damaged on disk");
        }
        // Going back is the safe direction: a before-drain hook that fails is said, and the host goes back anyway.
        hook(HookRan.BEFORE_DRAIN, rollout, rollout.artifact(), previous.map(Digest::toString).orElse(null));
        boolean clean = service.drainAndStop(rollout.policy().drainTimeout());
        append(new HostDrained(settings.deploymentSet(), rollout.id(), settings.agentId(), clean), null);
        if (previous.isEmpty()) {
            LOG.warnf("agent %s: nothing to go back to from %s; the service stays stopped", settings.agentId(),
                    rollout.artifact());
            publishState(Health.UNHEALTHY);
            return Optional.of("nothing to go back to from " + rollout.artifact());
        }
        append(new HostSwitched(settings.deploymentSet(), rollout.id(), settings.agentId(), rollout.artifact(),
                previous.get().toString(), generations.nextNumber()), null);
        generations.switchTo(previous.get(), pinned());
        LOG.infof("agent %s went back to %s from %s", settings.agentId(), previous.get(), rollout.artifact());
        Optional<String> sick = startAndCheck(healthCheckOf(previous.get(), rollout));
        return sick.isPresent() ? sick
                : hook(HookRan.AFTER_HEALTHY, rollout, rollout.artifact(), previous.get().toString());
    }

    /**
     * Runs the switch hook, if one is configured, and puts what it did on the set's log (its output in the
     * host's step and the audit trail); why it failed, or empty.
     */
    private Optional<String> hook(String name, Rollout rollout, String from, String to)
            throws InterruptedException, ExecutionException {
        SwitchHooks.Ran ran = switchHooks == null ? null : switchHooks.run(name, rollout.id(), settings.agentId(),
                from, to);
        if (ran == null) {
            return Optional.empty();
        }
        append(new HookRan(settings.deploymentSet(), rollout.id(), settings.agentId(), name, ran.exitCode(),
                ran.output(), ran.millis()), null);
        if (!ran.ok()) {
            LOG.warnf("agent %s: %s", settings.agentId(), ran.why());
        }
        return ran.ok() ? Optional.empty() : Optional.of(ran.why());
    }

    private Optional<String> startAndCheck(Recipe.HealthCheck check)
            throws IOException, InterruptedException, ExecutionException {
        Optional<String> sick;
        try {
            service.start(generations.currentDirectory());
            publishState(Health.STARTING);
            sick = health.check(check);
        } catch (IOException e) {
            sick = Optional.of("cannot start " + generations.current().map(Digest::toString).orElse("it") + ": "
                    + e.getMessage());
        }
        publishState(sick.isEmpty() ? Health.HEALTHY : Health.UNHEALTHY);
        return sick;
    }

    /** The health check of the version a host goes back to: its own recipe's when this agent read it. */
    private Recipe.HealthCheck healthCheckOf(Digest previous, Rollout from) {
        Rollout before = fold.lastCompleted();
        if (before != null && before.artifact().equals(previous.toString()) && recipes.containsKey(before.recipe())) {
            return recipes.get(before.recipe()).rollout().health();
        }
        return recipes.get(from.recipe()).rollout().health();
    }

    /** The artifact prepared for the set's current rollout: garbage collection must leave it. */
    private Set<Digest> pinned() {
        Rollout current = fold.rollout();
        return current == null ? Set.of() : Set.of(Digest.parse(current.artifact()));
    }

    private void append(SlipwayEvent data, String eventId) throws ExecutionException, InterruptedException {
        Event<SlipwayEvent> event = eventId == null ? Event.of(source, data)
                : new Event<>(eventId, source, clock.instant(), data);
        producer.send(codec.encode(Topics.ROLLOUTS, event)).get();
    }

    private void publishState() throws ExecutionException, InterruptedException, IOException {
        publishState(service.running() ? Health.HEALTHY : Health.UNKNOWN);
    }

    private void publishState(Health now) throws ExecutionException, InterruptedException, IOException {
        lastReport = channelState.report(clock.instant(), running());
        String said = problem == null ? lastReport : lastReport == null ? problem : problem + "; " + lastReport;
        AgentState state = new AgentState(settings.agentId(), settings.deploymentSet(), settings.channel(),
                generations.current().map(Digest::toString).orElse(null),
                generations.previous().map(Digest::toString).orElse(null), now, clock.instant(), said);
        if (lastState != null && Objects.equals(lastState.current(), state.current())
                && lastState.health() == state.health() && Objects.equals(lastState.problem(), state.problem())
                && !heartbeatDue()) {
            return;
        }
        lastState = state;
        producer.send(codec.encode(Topics.AGENTS, Event.of(source, state))).get();
    }

    /** Said again unchanged every {@link #HEARTBEAT}, so that a silent agent is seen as one (stale in the console). */
    private boolean heartbeatDue() {
        return lastState != null && !clock.instant().isBefore(lastState.lastSeen().plus(HEARTBEAT));
    }

    private TopicPartition partitionOf(KafkaConsumer<String, byte[]> consumer, String topic) {
        return partitionOf(consumer, topic, settings.deploymentSet());
    }

    /** The partition the producer's default partitioner picks for a set's key. */
    static TopicPartition partitionOf(KafkaConsumer<String, byte[]> consumer, String topic, String set) {
        int partitions = consumer.partitionsFor(topic).size();
        if (partitions == 0) {
            throw new IllegalStateException("topic " + topic + " does not exist; create the topics first");
        }
        byte[] key = set.getBytes(StandardCharsets.UTF_8);
        return new TopicPartition(topic, Utils.toPositive(Utils.murmur2(key)) % partitions);
    }
}
