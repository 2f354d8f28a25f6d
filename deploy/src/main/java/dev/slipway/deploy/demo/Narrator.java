package dev.slipway.deploy.demo;

import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.AgentState;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ArtifactRejected;
import dev.slipway.events.artifact.ArtifactRevoked;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.events.build.BuildFailed;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.build.BuildStarted;
import dev.slipway.events.command.ApprovalRequested;
import dev.slipway.events.command.HoldReleaseRequested;
import dev.slipway.events.command.HoldRequested;
import dev.slipway.events.command.PauseRequested;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RemoveHostRequested;
import dev.slipway.events.command.ResumeRequested;
import dev.slipway.events.command.RevokeRequested;
import dev.slipway.events.command.WindowOverrideRequested;
import dev.slipway.events.rollout.GateApproved;
import dev.slipway.events.rollout.GateOverdue;
import dev.slipway.events.rollout.GateReached;
import dev.slipway.events.rollout.HoldOverdue;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.HoldReleased;
import dev.slipway.events.rollout.HookRan;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.rollout.HostFailed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.HostOverdue;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.PrerequisiteMet;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutAborted;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.rollout.WindowOpened;
import dev.slipway.events.rollout.WindowOverridden;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.events.wire.KafkaClients;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Tells a person what the pipeline is doing, from the events themselves: builds, flags, and each host of the
 * demo set claiming, draining, switching and turning healthy. Reads from the end of the topics at start (it
 * narrates what happens, not history) and remembers how each rollout ended.
 */
public final class Narrator implements AutoCloseable {

    /** How a rollout of an artifact ended. */
    public record Outcome(String rolloutId, boolean completed, String reason) {
    }

    /** Seconds always shown: LocalTime.toString leaves out ":00", which misaligns the narration. */
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final List<String> TOPICS = List.of(Topics.BUILDS, Topics.ARTIFACTS, Topics.DEPLOYABLES,
            Topics.ROLLOUTS, Topics.AGENTS);

    private final String set;
    private final PrintStream out;
    private final KafkaConsumer<String, byte[]> consumer;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final Map<String, String> artifactOfRollout = new ConcurrentHashMap<>();
    private final Map<String, Outcome> outcomeByArtifact = new ConcurrentHashMap<>();
    private final Set<String> startedArtifacts = ConcurrentHashMap.newKeySet();
    private final Set<String> told = new HashSet<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Set<String> abortedArtifacts = new HashSet<>();
    private final Lines lineFor = new Lines();
    /** Hosts reported past the progress deadline, by rollout, until they are healthy in it after all. */
    private final Map<String, Set<String>> lostInRollout = new HashMap<>();
    private String lastRollout = "";
    private final Thread thread;

    public Narrator(String bootstrapServers, String set, PrintStream out) {
        this.set = set;
        this.out = out;
        this.consumer = KafkaClients.consumer(bootstrapServers, "unused", Map.of());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : TOPICS) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread = new Thread(this::run, "narrator");
        thread.setDaemon(true);
        thread.start();
    }

    /** How many lines it has told so far: a mark for {@link #awaitLine}. */
    public int told() {
        return lines.size();
    }

    /** Whether a line containing {@code text} was told after the first {@code from} lines, within {@code deadline}. */
    public boolean awaitLine(String text, int from, Duration deadline) throws InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < until) {
            if (lines.subList(from, lines.size()).stream().anyMatch(line -> line.contains(text))) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** Whether a rollout of {@code artifact} started within {@code deadline}. */
    public boolean awaitStart(String artifact, Duration deadline) throws InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < until) {
            if (startedArtifacts.contains(artifact)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** How the rollout of {@code artifact} ended, waiting up to {@code deadline}; empty if it did not end. */
    public Optional<Outcome> awaitOutcome(String artifact, Duration deadline) throws InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < until) {
            Outcome outcome = outcomeByArtifact.get(artifact);
            if (outcome != null) {
                return Optional.of(outcome);
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    private void run() {
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        narrate(codec.decode(record));
                    } catch (EventDecodingException unreadable) {
                        // Dead letters are someone else's; the story goes on.
                    }
                }
            }
        } catch (WakeupException closing) {
            consumer.close();
        }
    }

    private void narrate(Event<?> event) {
        String line = event.data().accept(lineFor);
        // Every agent appends the rollout's start and end, and a peer may report a host's failure too.
        if (line != null && told.add(lastRollout + "|" + line)) {
            lines.add(line);
            out.println("  " + CLOCK.format(LocalTime.now()) + "  " + line);
        }
    }

    /**
     * The narration's line for each event, null for one it does not tell (another set's, a command, a report the
     * audit trail has): a method for every type, so a new type does not compile until the narration decides.
     */
    private final class Lines implements SlipwayEvent.Visitor<String> {

        @Override
        public String visit(BuildStarted e) {
            return "build     " + shortDigest(e.recipe()) + " running on " + e.builder()
                    + (e.hermetic() ? " in a sandbox without network" : " WITHOUT a sandbox");
        }

        @Override
        public String visit(ArtifactBuilt e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "built     " + shortDigest(e.recipe()) + " -> artifact " + shortDigest(e.artifact())
                    + (e.cacheHit() ? " (from the action cache)" : "") + ", signed by " + e.builder();
        }

        @Override
        public String visit(BuildFailed e) {
            return "FAILED    build of " + shortDigest(e.recipe()) + ": " + e.reason();
        }

        @Override
        public String visit(ArtifactRejected e) {
            return "REJECTED  the store refused " + shortDigest(e.artifact()) + ": " + e.reason();
        }

        @Override
        public String visit(ArtifactDeployable e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "flagged   " + shortDigest(e.artifact()) + " deployable on " + e.deploymentSet() + "/" + e.channel()
                    + (e.flaggedBy().startsWith("fallback") ? " again: the release before the revoked one" : "")
                    + (e.flaggedBy().startsWith("auto-flag: ") ? ": " + e.flaggedBy().substring("auto-flag: ".length())
                            : "");
        }

        @Override
        public String visit(ArtifactRevoked e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "REVOKED   " + shortDigest(e.artifact()) + " by " + e.revokedBy() + ": " + e.reason();
        }

        @Override
        public String visit(RolloutStarted e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            lastRollout = e.rolloutId();
            artifactOfRollout.put(e.rolloutId(), e.artifact());
            startedArtifacts.add(e.artifact());
            return "rollout   of " + shortDigest(e.artifact()) + " to " + e.deploymentSet() + " started ("
                    + e.policy().maxUnavailable() + " host(s) at a time, canary first)";
        }

        @Override
        public String visit(HostClaimed e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "  " + e.hostId() + "  asks for a slot";
        }

        @Override
        public String visit(HostDrained e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "  " + e.hostId() + "  drained" + (e.clean() ? "" : " (cut short at the bound)");
        }

        @Override
        public String visit(HostSwitched e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "  " + e.hostId() + "  switched to " + shortDigest(e.toArtifact()) + " (generation " + e.generation() + ")";
        }

        @Override
        public String visit(HostHealthy e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            lostInRollout.getOrDefault(e.rolloutId(), new HashSet<>()).remove(e.hostId());
            return "  " + e.hostId() + "  healthy";
        }

        @Override
        public String visit(HostFailed e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "  " + e.hostId() + "  FAILED: " + e.reason();
        }

        @Override
        public String visit(HostOverdue e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            if (HostOverdue.PROGRESS.equals(e.deadline())) {
                lostInRollout.computeIfAbsent(e.rolloutId(), id -> new TreeSet<>()).add(e.hostId());
            }
            return "  " + e.hostId() + "  overdue (" + e.reportedBy() + "): " + e.reason();
        }

        @Override
        public String visit(HostLeft e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "  " + e.hostId() + "  left the set";
        }

        @Override
        public String visit(RolloutPaused e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "rollout   paused by " + e.pausedBy() + ": " + e.reason();
        }

        @Override
        public String visit(RolloutResumed e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "rollout   resumed by " + e.resumedBy();
        }

        @Override
        public String visit(HoldPlaced e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "hold      " + e.name() + " placed by " + e.placedBy() + " for up to " + e.until() + ": " + e.reason();
        }

        @Override
        public String visit(HoldReleased e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "hold      " + e.name() + " released by " + e.releasedBy();
        }

        @Override
        public String visit(RollbackRequested e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            return "rollback  requested by " + e.requestedBy() + ": " + e.reason();
        }

        @Override
        public String visit(AgentState e) {
            if (!(set.equals(e.deploymentSet())
                    && e.previous() != null
                    && abortedArtifacts.contains(e.previous())
                    && !e.previous().equals(e.current()))) {
                return null;
            }
            return "  " + e.agentId() + "  back on " + shortDigest(e.current());
        }

        @Override
        public String visit(RolloutCompleted e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            ended(e.rolloutId(), true, null);
            Set<String> lost = lostInRollout.getOrDefault(e.rolloutId(), Set.of());
            return "rollout   completed: every " + (lost.isEmpty() ? "" : "live ") + "host of " + e.deploymentSet()
                    + " runs " + shortDigest(artifactOfRollout.getOrDefault(e.rolloutId(), "?"))
                    + (lost.isEmpty() ? "" : "; not " + String.join(", ", lost) + ", lost (it takes it when it is back)");
        }

        @Override
        public String visit(RolloutAborted e) {
            if (!set.equals(e.deploymentSet())) {
                return null;
            }
            ended(e.rolloutId(), false, e.reason());
            abortedArtifacts.add(artifactOfRollout.getOrDefault(e.rolloutId(), ""));
            return "rollout   ABORTED (" + e.reason() + "): every host that switched goes back";
        }

        @Override
        public String visit(BuildRequested event) {
            return null;
        }

        @Override
        public String visit(ChannelStateSigned event) {
            return null;
        }

        @Override
        public String visit(HostJoined event) {
            return null;
        }

        @Override
        public String visit(HookRan event) {
            return null;
        }

        @Override
        public String visit(HoldOverdue event) {
            return null;
        }

        @Override
        public String visit(GateReached event) {
            return null;
        }

        @Override
        public String visit(GateApproved event) {
            return null;
        }

        @Override
        public String visit(GateOverdue event) {
            return null;
        }

        @Override
        public String visit(WindowOverridden event) {
            return null;
        }

        @Override
        public String visit(WindowOpened event) {
            return null;
        }

        @Override
        public String visit(PrerequisiteMet event) {
            return null;
        }

        @Override
        public String visit(SetCheckpointed event) {
            return null;
        }

        @Override
        public String visit(PromoteRequested event) {
            return null;
        }

        @Override
        public String visit(PauseRequested event) {
            return null;
        }

        @Override
        public String visit(ResumeRequested event) {
            return null;
        }

        @Override
        public String visit(HoldRequested event) {
            return null;
        }

        @Override
        public String visit(HoldReleaseRequested event) {
            return null;
        }

        @Override
        public String visit(ApprovalRequested event) {
            return null;
        }

        @Override
        public String visit(WindowOverrideRequested event) {
            return null;
        }

        @Override
        public String visit(RemoveHostRequested event) {
            return null;
        }

        @Override
        public String visit(RevokeRequested event) {
            return null;
        }
    }

    private void ended(String rolloutId, boolean completed, String reason) {
        String artifact = artifactOfRollout.get(rolloutId);
        if (artifact != null) {
            outcomeByArtifact.put(artifact, new Outcome(rolloutId, completed, reason));
        }
    }

    static String shortDigest(String digest) {
        return digest.startsWith("sha256:") ? digest.substring(7, 19) : digest;
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(Duration.ofSeconds(5).toMillis());
    }
}
