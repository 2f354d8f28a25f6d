package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;

import dev.slipway.agent.rollout.Checkpointer;
import dev.slipway.agent.rollout.SetFold;
import dev.slipway.events.Event;
import dev.slipway.events.SlipwayEvent;
import dev.slipway.events.Topics;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.HostHealthy;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.wire.CloudEventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test: the start-up figures of bench/agent-startup. A set's partition holds 100,000 records: its own
 * history of 1,000 rollouts of three hosts and other sets' records. A new agent starts with no checkpoint on
 * the log, then another after one member's checkpoint was appended; each reports its time to caught up and the
 * records it read. Prints, asserts nothing about time.
 */
@Tag("benchmark")
class StartupBenchmark {

    private static final int HISTORY = 100_000;
    private static final int ROLLOUTS = 1_000;
    /** The history spans the last six days (the broker keeps a week): a rollout every 8.6 minutes. */
    private static final Duration HISTORY_SPAN = Duration.ofDays(6);
    private static final Instant START = Instant.now().minus(HISTORY_SPAN).minus(Duration.ofHours(1));
    private final CloudEventCodec codec = new CloudEventCodec();
    private Instant clock = START;

    @TempDir
    Path root;

    @Test
    void startUpAgainstAHundredThousandRecordsWithAndWithoutACheckpoint() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            int partition = partitionOf(fleet);
            SetFold member = new SetFold(fleet.set);
            long written = writeHistory(fleet, partition, member);
            System.out.printf("%nBENCH partition %s-%d holds %d records (%d of set %s: %d rollouts of 3 hosts)%n",
                    Topics.ROLLOUTS, partition, written, member.records(), fleet.set, ROLLOUTS);

            fleet.startAgents(1, 0);
            Agent.Startup without = startupOf(fleet.agents.get(0));
            report("no checkpoint", without, fleet.agents.get(0));

            SetCheckpointed checkpoint = new Checkpointer(1, 0).due(member, "host-a", member.time(), written)
                    .orElseThrow();
            try (KafkaProducer<String, byte[]> producer = fleet.kafka.producer()) {
                producer.send(withPartition(codec.encode(Topics.ROLLOUTS, Event.of("/bench", checkpoint)), partition))
                        .get();
            }
            fleet.startAgents(1, 0);
            Agent.Startup with = startupOf(fleet.agents.get(1));
            report("from a checkpoint", with, fleet.agents.get(1));
            System.out.printf("BENCH checkpoint of the set: %d bytes%n",
                    codec.encode(Topics.ROLLOUTS, Event.of("/bench", checkpoint)).value().length);
        }
    }

    private long writeHistory(FleetFixture fleet, int partition, SetFold member) throws Exception {
        RolloutPolicy policy = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(30));
        List<String> hosts = List.of("host-a", "host-b", "host-c");
        long offset = 0;
        int own = 0;
        try (KafkaProducer<String, byte[]> producer = fleet.kafka.producer()) {
            for (String host : hosts) {
                offset = send(producer, fleet, partition, new HostJoined(fleet.set, host, host.equals("host-a"),
                        host + "-run"), member, offset);
                own++;
            }
            for (int r = 0; r < ROLLOUTS; r++) {
                clock = START.plus(HISTORY_SPAN.dividedBy(ROLLOUTS).multipliedBy(r));
                String id = "old-" + r;
                String artifact = "sha256:" + String.format("%064x", r + 1);
                offset = send(producer, fleet, partition, new RolloutStarted(fleet.set, id, "staging",
                        "sha256:" + "1".repeat(64), artifact, policy, (long) r), member, offset);
                for (String host : hosts) {
                    offset = send(producer, fleet, partition, new HostClaimed(fleet.set, id, host), member, offset);
                    offset = send(producer, fleet, partition, new HostSwitched(fleet.set, id, host, null, artifact, r + 2),
                            member, offset);
                    offset = send(producer, fleet, partition, new HostHealthy(fleet.set, id, host), member, offset);
                }
                offset = send(producer, fleet, partition, new RolloutCompleted(fleet.set, id), member, offset);
                own += 11;
                // Other sets of the same partition write 89 records for each of this set's rollouts.
                for (int i = 0; i < HISTORY / ROLLOUTS - 11; i++) {
                    offset = send(producer, fleet, partition, new HostClaimed("other-" + (i % 40), "r" + r, "h" + i),
                            null, offset);
                }
            }
            producer.flush();
        }
        return offset;
    }

    /** Sends one record to the set's partition; folds it into {@code member} (a member of the set) when given. */
    private long send(KafkaProducer<String, byte[]> producer, FleetFixture fleet, int partition, SlipwayEvent data,
            SetFold member, long offset) throws Exception {
        Event<SlipwayEvent> event = Event.of("/bench", data);
        ProducerRecord<String, byte[]> record = at(codec.encode(Topics.ROLLOUTS, event), partition, clock);
        if (member == null) {
            producer.send(record);
            return offset + 1;
        }
        RecordMetadata written = producer.send(record).get();
        member.apply(event, Instant.ofEpochMilli(written.timestamp()), written.offset());
        return written.offset() + 1;
    }

    private static ProducerRecord<String, byte[]> withPartition(ProducerRecord<String, byte[]> record, int partition) {
        return new ProducerRecord<>(record.topic(), partition, record.key(), record.value(), record.headers());
    }

    /** The record at {@code time}, so that the history spans days as an old set's log does. */
    private static ProducerRecord<String, byte[]> at(ProducerRecord<String, byte[]> record, int partition,
            Instant time) {
        return new ProducerRecord<>(record.topic(), partition, time.toEpochMilli(), record.key(), record.value(),
                record.headers());
    }

    /** As the agents and the default partitioner pick it. */
    private static int partitionOf(FleetFixture fleet) {
        try (var consumer = fleet.kafka.consumer()) {
            int partitions = consumer.partitionsFor(Topics.ROLLOUTS).size();
            return Utils.toPositive(Utils.murmur2(fleet.set.getBytes(StandardCharsets.UTF_8))) % partitions;
        }
    }

    private static Agent.Startup startupOf(Agent agent) throws InterruptedException {
        await("the agent caught up", () -> agent.startup() != null);
        return agent.startup();
    }

    private static void report(String how, Agent.Startup startup, Agent agent) {
        System.out.printf("BENCH new agent, %s: caught up in %d ms, %d records read; its fold knows %d members and "
                + "%d records of the set%n", how, startup.took().toMillis(), startup.recordsRead(),
                agent.fold().members().size(), agent.fold().records());
    }
}
