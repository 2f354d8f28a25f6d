package dev.slipway.agent.run;

import dev.slipway.agent.rollout.Checkpointer;
import dev.slipway.agent.rollout.Decisions;
import dev.slipway.agent.rollout.HostView;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.agent.rollout.SetFold;
import dev.slipway.agent.rollout.Step;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.Topics;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.wire.CloudEventCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test: the figures of bench/thousand-hosts. A thousand hosts of one set roll out a release over the real
 * broker, each deciding with the real {@link Decisions} and {@link Checkpointer} on the real {@link SetFold};
 * the host side (download, drain, switch) is simulated and the health check takes {@link #HEALTH_CHECK}. One
 * consumer reads the set's partition for all of them and the fold is computed once per record: every agent's
 * fold of the same records is the same (the simulation checks it after every poll), so what each agent would
 * spend folding is measured once, and what it spends deciding is measured for every host. Prints, asserts
 * nothing about time.
 */
@Tag("benchmark")
class ThousandHostsBenchmark {

    private static final int HOSTS = Integer.getInteger("slipway.bench.hosts", 1000);
    private static final int MAX_UNAVAILABLE = Math.max(1, HOSTS / 10);
    private static final Duration HEALTH_CHECK = Duration.ofSeconds(1);
    private static final Duration DEADLINE = Duration.ofMinutes(5);

    @TempDir
    Path root;

    @Test
    void aThousandHostsTakeAReleaseTenPercentAtATime() throws Exception {
        try (FleetFixture fixture = new FleetFixture(root); Fleet fleet = new Fleet(fixture)) {
            fleet.runUntil("every host joined", () -> fleet.fold.members().size() == HOSTS);
            fleet.release();
            fleet.runUntil("the rollout completed and was announced", () -> fleet.fold.rollout() != null
                    && fleet.fold.rollout().status() == Rollout.Status.COMPLETED && fleet.fold.rollout().announced());
            fleet.report();
        }
    }

    /** The hosts, one thread, one consumer and one producer for all of them. */
    private static final class Fleet implements AutoCloseable {

        private final String set;
        private final CloudEventCodec codec = new CloudEventCodec();
        private final KafkaConsumer<String, byte[]> consumer;
        private final KafkaProducer<String, byte[]> producer;
        private final TopicPartition partition;
        private final SetFold fold;
        private final List<Host> hosts = new ArrayList<>();
        private final PriorityQueue<Timed> timers = new PriorityQueue<>();
        private final List<ConsumerRecord<String, byte[]>> log = new ArrayList<>();
        private final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        private final RolloutPolicy policy = new RolloutPolicy(MAX_UNAVAILABLE, 0, Duration.ofSeconds(60),
                Duration.ofSeconds(2), Duration.ofSeconds(60));
        private HostView.Deployable release;
        private long order;
        private Instant decidedAt = Instant.EPOCH;
        private long foldNanos;
        private long decideNanos;
        private long decisions;
        private long rolloutFoldNanos;
        private long rolloutDecideNanos;

        Fleet(FleetFixture fixture) {
            set = fixture.set;
            consumer = fixture.kafka.consumer();
            producer = fixture.kafka.producer();
            int partitions = consumer.partitionsFor(Topics.ROLLOUTS).size();
            partition = new TopicPartition(Topics.ROLLOUTS,
                    Utils.toPositive(Utils.murmur2(set.getBytes(StandardCharsets.UTF_8))) % partitions);
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition);
            fold = new SetFold(set);
            for (int i = 0; i < HOSTS; i++) {
                hosts.add(new Host(String.format("host-%04d", i)));
            }
        }

        void release() {
            release = new HostView.Deployable(UUID.randomUUID().toString(), 1, "staging", "sha256:" + "1".repeat(64),
                    "sha256:" + "2".repeat(64), Instant.now());
            rolloutFoldNanos = foldNanos;
            rolloutDecideNanos = decideNanos;
        }

        void runUntil(String what, BooleanSupplier done) {
            long until = System.nanoTime() + DEADLINE.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > until) {
                    throw new AssertionError("not within " + DEADLINE + ": " + what);
                }
                long started = cpu.getCurrentThreadCpuTime();
                boolean news = false;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(5))) {
                    log.add(record);
                    if (!set.equals(record.key())) {
                        continue;
                    }
                    news = true;
                    Event<?> event = decode(record);
                    if (event.data() instanceof SetCheckpointed checkpoint) {
                        hosts.forEach(h -> h.checkpointer.seen(checkpoint, Instant.ofEpochMilli(record.timestamp())));
                    }
                    fold.apply(event, Instant.ofEpochMilli(record.timestamp()), record.offset());
                }
                long folded = cpu.getCurrentThreadCpuTime();
                foldNanos += folded - started;
                Instant now = Instant.now();
                while (!timers.isEmpty() && !timers.peek().at.isAfter(now)) {
                    timers.poll().action.run();
                    news = true;
                }
                // An agent decides after a poll that brought records, or after its poll's 200 ms timeout.
                if (!news && now.isBefore(decidedAt.plus(Duration.ofMillis(200)))) {
                    continue;
                }
                decidedAt = now;
                long readTo = consumer.position(partition);
                for (Host host : hosts) {
                    if (!host.busy) {
                        host.decide(now, readTo);
                    }
                }
                decideNanos += cpu.getCurrentThreadCpuTime() - folded;
            }
        }

        void report() {
            Rollout r = fold.rollout();
            Map<String, Instant> drained = new HashMap<>();
            Map<String, Instant> healthy = new HashMap<>();
            Instant started = null;
            Instant completed = null;
            long records = 0;
            long bytes = 0;
            long setRecords = 0;
            Map<String, Integer> byType = new java.util.TreeMap<>();
            for (ConsumerRecord<String, byte[]> record : log) {
                Instant at = Instant.ofEpochMilli(record.timestamp());
                Object data = set.equals(record.key()) ? decode(record).data() : null;
                if (data instanceof RolloutStarted && started == null) {
                    started = at;
                }
                if (started != null) {
                    records++;
                    if (data != null) {
                        byType.merge(data.getClass().getSimpleName(), 1, Integer::sum);
                    }
                    setRecords += data != null ? 1 : 0;
                    bytes += record.serializedValueSize() + record.serializedKeySize();
                    for (var header : record.headers()) {
                        bytes += header.key().length() + header.value().length;
                    }
                }
                if (data instanceof HostDrained d) {
                    drained.putIfAbsent(d.hostId(), at);
                } else if (data instanceof HostHealthy h) {
                    healthy.putIfAbsent(h.hostId(), at);
                } else if (data instanceof RolloutCompleted && completed == null) {
                    completed = at;
                }
            }
            List<Long> perHost = new ArrayList<>();
            healthy.forEach((host, at) -> perHost.add(Duration.between(drained.get(host), at).toMillis()));
            Collections.sort(perHost);
            double median = perHost.get(perHost.size() / 2);
            int batches = (HOSTS + MAX_UNAVAILABLE - 1) / MAX_UNAVAILABLE;
            double ideal = batches * median;
            double actual = Duration.between(started, completed).toMillis();
            double foldMs = (foldNanos - rolloutFoldNanos) / 1e6;
            double decideMs = (decideNanos - rolloutDecideNanos) / 1e6;
            System.out.printf("%nBENCH %d hosts, maxUnavailable %d, %s health check: rollout %.0f ms (RolloutStarted -> "
                    + "RolloutCompleted on the log); per host (drained -> healthy) median %.0f ms, p99 %d ms; ideal %d "
                    + "batches x median = %.0f ms; ratio %.2f%n", HOSTS, MAX_UNAVAILABLE, HEALTH_CHECK, actual, median,
                    perHost.get((int) (perHost.size() * 0.99)), batches, ideal, actual / ideal);
            System.out.printf("BENCH most hosts in a slot at once: %d; healthy %d of %d%n", r.peakHolding(),
                    r.healthy().size(), HOSTS);
            System.out.printf("BENCH records each agent reads for the rollout: %d (%d of the set), %.1f MB; broker fan-out "
                    + "to %d agents: %.0f MB%n", records, setRecords, bytes / 1e6, HOSTS, bytes * (double) HOSTS / 1e6);
            System.out.printf("BENCH the set's records by type: %s%n", byType);
            System.out.printf("BENCH CPU per agent for the rollout: folding %.0f ms (decode and fold of every record, as "
                    + "each agent does), deciding %.2f ms (%d decisions of all hosts: %.1f us each)%n", foldMs,
                    decideMs / HOSTS, decisions, decideNanos / 1e3 / Math.max(1, decisions));
            System.out.printf("BENCH checkpoints written during the rollout: %d; the last %d bytes%n",
                    log.stream().filter(rec -> set.equals(rec.key()) && decode(rec).data() instanceof SetCheckpointed)
                            .count(),
                    log.stream().filter(rec -> set.equals(rec.key()) && decode(rec).data() instanceof SetCheckpointed)
                            .mapToInt(ConsumerRecord::serializedValueSize).reduce((a, b) -> b).orElse(0));
        }

        private Event<?> decode(ConsumerRecord<String, byte[]> record) {
            try {
                return codec.decode(record);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        private void send(String source, SlipwayEvent data, String eventId) {
            Event<SlipwayEvent> event = eventId == null ? Event.of(source, data)
                    : new Event<>(eventId, source, Instant.now(), data);
            producer.send(codec.encode(Topics.ROLLOUTS, event));
        }

        private void later(Duration delay, Runnable action) {
            timers.add(new Timed(Instant.now().plus(delay), order++, action));
        }

        @Override
        public void close() {
            consumer.close();
            producer.close();
        }

        private record Timed(Instant at, long order, Runnable action) implements Comparable<Timed> {
            @Override
            public int compareTo(Timed other) {
                int byTime = at.compareTo(other.at);
                return byTime != 0 ? byTime : Long.compare(order, other.order);
            }
        }

        /** One host as its agent sees it; its disk and service are simulated, its decisions are real. */
        private final class Host {
            private final String id;
            private final String instance = UUID.randomUUID().toString();
            private final Checkpointer checkpointer = Checkpointer.standard(AgentSettings.CHECKPOINT_RECORDS);
            private final Set<String> installed = new HashSet<>();
            private final Set<String> prepared = new HashSet<>();
            private final Map<String, RolloutPolicy> recipes = new HashMap<>();
            private final Map<String, Instant> done = new HashMap<>();
            private String running;
            private boolean busy;

            Host(String id) {
                this.id = id;
            }

            void decide(Instant now, long readTo) {
                HostView view = new HostView(id, instance, false, false, running, installed, recipes, prepared, Map.of(),
                        Map.of(), done, release == null ? new HostView.Released(null, Map.of(), "no release yet")
                                : HostView.Released.fresh(release), now);
                decisions++;
                for (Step step : Decisions.next(fold, view)) {
                    done.put(step.key(), now);
                    carryOut(step);
                }
                checkpointer.due(fold, id, now, readTo).ifPresent(c -> send("/bench/" + id, c, null));
            }

            private void carryOut(Step step) {
                String source = "/bench/" + id;
                if (step instanceof Step.Append append) {
                    send(source, append.event(), append.eventId());
                } else if (step instanceof Step.Prepare prepare) {
                    // A download that is already on the host's disk: the benchmark is about the protocol.
                    installed.add(prepare.artifact());
                    prepared.add(prepare.rolloutId());
                    recipes.put(prepare.recipe(), policy);
                    done.remove(step.key());
                } else if (step instanceof Step.TakeSlot slot) {
                    Rollout rollout = slot.rollout();
                    busy = true;
                    send(source, new HostDrained(set, rollout.id(), id, true), null);
                    send(source, new HostSwitched(set, rollout.id(), id, running, rollout.artifact(), 1), null);
                    running = rollout.artifact();
                    later(HEALTH_CHECK, () -> {
                        send(source, new HostHealthy(set, rollout.id(), id), null);
                        busy = false;
                    });
                } else if (step instanceof Step.GoBack back) {
                    send(source, new HostHealthy(set, back.rollout().id(), id), null);
                }
            }
        }
    }
}
