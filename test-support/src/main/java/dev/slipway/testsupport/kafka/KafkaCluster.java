package dev.slipway.testsupport.kafka;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A KRaft cluster of several brokers and one controller in this JVM, for tests that lose a broker:
 * topics are replicated to every node with {@code min.insync.replicas} one less. Unlike {@link KafkaBroker#shared()}
 * it belongs to the test that starts it.
 */
public final class KafkaCluster implements AutoCloseable {

    private final KafkaClusterTestKit kit;
    private final int nodes;

    private KafkaCluster(KafkaClusterTestKit kit, int nodes) {
        this.kit = kit;
        this.nodes = nodes;
    }

    public static KafkaCluster start(int nodes) {
        try {
            // One controller of its own: several combined nodes of the test kit lose their raft threads at start.
            TestKitNodes layout = new TestKitNodes.Builder().setCombined(false).setNumBrokerNodes(nodes)
                    .setNumControllerNodes(1).setBaseDirectory(Files.createTempDirectory("slipway-kafka-cluster-"))
                    .build();
            String replicas = Integer.toString(nodes);
            String inSync = Integer.toString(Math.max(1, nodes - 1));
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(layout)
                    .setConfigProp("offsets.topic.replication.factor", replicas)
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", replicas)
                    .setConfigProp("transaction.state.log.min.isr", inSync)
                    .setConfigProp("default.replication.factor", replicas)
                    .setConfigProp("min.insync.replicas", inSync)
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setDeleteOnClose(true)
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new KafkaCluster(kit, nodes);
        } catch (Exception e) {
            throw new IllegalStateException("could not start a " + nodes + "-node Kafka cluster: " + e.getMessage(), e);
        }
    }

    /** A client-side handle on the cluster (producers, consumers, reading back). */
    public KafkaBroker clients() {
        return new KafkaBroker(kit.bootstrapServers());
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** Creates topics replicated to every node, with the given topic configs. */
    public void createTopics(Map<String, Integer> partitionsByTopic, Map<String, Map<String, String>> configs) {
        List<NewTopic> topics = new ArrayList<>();
        partitionsByTopic.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) nodes)
                .configs(configs.getOrDefault(name, Map.of()))));
        try (Admin admin = clients().admin()) {
            admin.createTopics(topics).all().get();
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("could not create topics " + partitionsByTopic.keySet(), e);
        }
    }

    /** The node that leads a partition now. */
    public int leaderOf(String topic, int partition) {
        try (Admin admin = clients().admin()) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return description.partitions().get(partition).leader().id();
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("could not describe " + topic, e);
        }
    }

    /** Stops a broker (a controlled shutdown: in one JVM nothing can kill it harder). */
    public void stopBroker(int node) {
        kit.brokers().get(node).shutdown();
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
