package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.rollout.Checkpointer;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.agent.rollout.SetFold;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.SetCheckpointed;
import dev.slipway.events.wire.CloudEventCodec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A set whose history before its newest checkpoint was deleted, as retention deletes it: agents that restart
 * and a host that joins afterwards know every member and what the set runs, and every fold agrees.
 */
class CheckpointsOverKafkaTest {

    private final CloudEventCodec codec = new CloudEventCodec();

    @TempDir
    Path root;

    @Test
    void agentsThatStartAfterHistoryWasDeletedUpToACheckpointAgreeWithThoseThatSawItAll() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.checkpointRecords = 5;
            fleet.startAgents(4, 1);
            FleetFixture.Release v1 = fleet.release("v1", true, 2, "PT60S");
            fleet.deploy(v1);
            await("v1 on every host, rollout completed", () -> fleet.agents.stream().allMatch(a -> runs(a, v1.artifact())
                    && a.fold().rollout() != null && a.fold().rollout().status() == Rollout.Status.COMPLETED));
            long completedAt = fleet.agents.get(0).fold().offset();
            await("a checkpoint after the rollout's end", () -> newest(fleet, SetCheckpointed.class) != null
                    && ((SetCheckpointed) decode(newest(fleet, SetCheckpointed.class)).data()).offset() >= completedAt);
            ConsumerRecord<String, byte[]> checkpoint = newest(fleet, SetCheckpointed.class);
            ConsumerRecord<String, byte[]> state = newest(fleet, ChannelStateSigned.class);

            try (Admin admin = fleet.kafka.admin()) {
                admin.deleteRecords(Map.of(
                        new TopicPartition(Topics.ROLLOUTS, checkpoint.partition()), RecordsToDelete.beforeOffset(
                                checkpoint.offset()),
                        new TopicPartition(Topics.DEPLOYABLES, state.partition()), RecordsToDelete.beforeOffset(
                                state.offset()))).all().get();
            }
            assertTrue(records(fleet).stream().noneMatch(r -> decode(r).data() instanceof HostJoined),
                    "every join is gone from the log");
            fleet.restartAgent(1);
            fleet.restartAgent(3);
            fleet.startAgents(1, 0);
            Set<String> everyone = Set.of("host-0", "host-1", "host-2", "host-3", "host-4");
            await("the restarted and the new agents know every member", () -> fleet.agents.stream()
                    .allMatch(a -> a.fold().members().keySet().equals(everyone)));
            await("the new host runs what the set runs", () -> runs(fleet.agents.get(4), v1.artifact()));

            FleetFixture.Release v2 = fleet.release("v2", true, 2, "PT60S");
            fleet.deploy(v2);
            await("v2 on every host, rollout completed", () -> fleet.agents.stream().allMatch(a -> runs(a, v2.artifact())
                    && a.fold().rollout() != null && a.fold().rollout().artifact().equals(v2.artifact().toString())
                    && a.fold().rollout().status() == Rollout.Status.COMPLETED && a.fold().rollout().announced()));
            await("every agent folded the same records", () -> fleet.agents.stream().map(a -> a.fold().offset())
                    .distinct().count() == 1);

            SetFold afresh = foldFromNewestCheckpoint(fleet);
            for (Agent agent : fleet.agents) {
                assertEquals(afresh.summary(), agent.fold().summary(), "every fold is the retained log's");
            }
            assertEquals(everyone, afresh.rollout().healthy(), "every member took v2, the late one too");
        }
    }

    /** As a new agent starts: from the newest checkpoint on the log, folding what follows it. */
    private SetFold foldFromNewestCheckpoint(FleetFixture fleet) {
        List<ConsumerRecord<String, byte[]>> log = records(fleet);
        SetFold fold = null;
        long readTo = 0;
        for (ConsumerRecord<String, byte[]> record : log) {
            if (decode(record).data() instanceof SetCheckpointed checkpoint) {
                fold = Checkpointer.restore(checkpoint, fleet.set);
                readTo = checkpoint.readTo();
            }
        }
        for (ConsumerRecord<String, byte[]> record : log) {
            if (record.offset() >= readTo) {
                fold.apply(decode(record), Instant.ofEpochMilli(record.timestamp()), record.offset());
            }
        }
        return fold;
    }

    private List<ConsumerRecord<String, byte[]>> records(FleetFixture fleet) {
        return fleet.kafka.readToEnd(Topics.ROLLOUTS, r -> fleet.set.equals(r.key()));
    }

    private ConsumerRecord<String, byte[]> newest(FleetFixture fleet, Class<?> type) {
        String topic = type == ChannelStateSigned.class ? Topics.DEPLOYABLES : Topics.ROLLOUTS;
        List<ConsumerRecord<String, byte[]>> matching = fleet.kafka.readToEnd(topic, r -> fleet.set.equals(r.key()))
                .stream().filter(r -> type.isInstance(decode(r).data())).collect(Collectors.toList());
        return matching.isEmpty() ? null : matching.get(matching.size() - 1);
    }

    private Event<?> decode(ConsumerRecord<String, byte[]> record) {
        try {
            return codec.decode(record);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
