package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.rollout.Rollout;
import dev.slipway.agent.rollout.SetFold;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.testsupport.kafka.KafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers, every topic on all three with {@code min.insync.replicas} 2: the leader of the set's partition
 * of {@code slipway.rollouts} stops in the middle of a rollout. The rollout completes, no event is on the log
 * twice, and every agent's fold equals a fold of the whole partition read afresh.
 */
@Timeout(240)
class RolloutAcrossBrokerFailoverTest {

    @TempDir
    Path root;

    @Test
    void theLeaderOfTheSetsPartitionStopsMidRolloutAndTheRolloutCompletesWithNothingLostOrDuplicated()
            throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(3)) {
            cluster.createTopics(Map.of(Topics.ROLLOUTS, 2, Topics.DEPLOYABLES, 2, Topics.AGENTS, 2),
                    Map.of(Topics.ROLLOUTS, Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")));
            try (FleetFixture fleet = new FleetFixture(root, cluster.clients())) {
                fleet.startAgents(4, 1);
                await("four members", () -> fleet.agents.get(0).fold().members().size() == 4);
                // Drains take a second each, so the rollout is still going when the leader stops.
                FleetFixture.Release v1 = fleet.release("v1", true,
                        new FleetFixture.Policy(1, 0, "PT60S", "PT5S", "sleep 1"), FleetFixture.BUILDER);
                fleet.deploy(v1);
                await("the canary is healthy on v1", () -> {
                    Rollout r = fleet.agents.get(0).fold().rollout();
                    return r != null && r.healthy().contains("host-0");
                });
                int partition = Utils.toPositive(Utils.murmur2(fleet.set.getBytes(StandardCharsets.UTF_8))) % 2;
                int leader = cluster.leaderOf(Topics.ROLLOUTS, partition);
                cluster.stopBroker(leader);

                await("v1 completed on every host", () -> fleet.agents.stream().allMatch(a -> {
                    Rollout r = a.fold().rollout();
                    return r != null && r.status() == Rollout.Status.COMPLETED && r.announced();
                }));
                assertNotEquals(leader, cluster.leaderOf(Topics.ROLLOUTS, partition), "another broker leads now");
                for (int port : fleet.ports) {
                    assertEquals("v1", get(port, "/version"));
                }

                List<ConsumerRecord<String, byte[]>> log = fleet.kafka.readToEnd(Topics.ROLLOUTS,
                        r -> fleet.set.equals(r.key()));
                CloudEventCodec codec = new CloudEventCodec();
                SetFold afresh = new SetFold(fleet.set);
                Set<String> ids = new HashSet<>();
                for (ConsumerRecord<String, byte[]> record : log) {
                    Event<?> event = codec.decode(record);
                    boolean first = ids.add(event.id());
                    // Announcements carry one id from every agent on purpose; nothing else may repeat.
                    assertTrue(first || event.data() instanceof dev.slipway.events.rollout.RolloutCompleted,
                            "appended twice: " + event);
                    afresh.apply(event, Instant.ofEpochMilli(record.timestamp()), record.offset());
                }
                for (Agent agent : fleet.agents) {
                    assertEquals(afresh.summary(), agent.fold().summary(), "every fold is the log's");
                }
            }
        }
    }
}
