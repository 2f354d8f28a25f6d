package dev.slipway.testsupport.kafka;

import dev.slipway.testsupport.JvmWide;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.awaitility.Awaitility;

/**
 * A real single-node Apache Kafka broker (combined KRaft broker and controller) running in this JVM, shared
 * by every test of the JVM, in every class loader: started on first use, stopped when the JVM exits. Each test keeps to its own
 * topics ({@link #uniqueTopic}) and consumer groups, so sharing is safe.
 */
public final class KafkaBroker {

    static final String BOOTSTRAP_PROPERTY = "slipway.test.kafka.bootstrap-servers";

    private final String bootstrapServers;

    KafkaBroker(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** The JVM's broker, started on first call (about 1.5 s) by whichever class loader asks first. */
    public static KafkaBroker shared() {
        return new KafkaBroker(JvmWide.address(BOOTSTRAP_PROPERTY, () -> {
            KafkaClusterTestKit cluster = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(cluster), "kafka-broker-stop"));
            return cluster.bootstrapServers();
        }));
    }

    private static KafkaClusterTestKit start() {
        try {
            // Our own directory: the test kit's default one is deleted by its own JVM shutdown hook, which races
            // the broker's close; a broker that then cannot write a checkpoint halts the JVM with status 1.
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(Files.createTempDirectory("slipway-kafka-"))
                    .build();
            // Without the replication settings a one-node cluster cannot create its internal topics, and
            // consumer groups then silently never receive anything.
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setDeleteOnClose(true)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return cluster;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-process Kafka broker: " + e.getMessage(), e);
        }
    }

    private static void stop(KafkaClusterTestKit cluster) {
        try {
            cluster.close();
        } catch (Exception e) {
            // The JVM is exiting; nothing can act on a failed close.
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A topic name no other test uses. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Creates the topics (one replica each) and waits until the broker has them. */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        List<NewTopic> topics = new ArrayList<>();
        partitionsByTopic.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get();
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("could not create topics " + partitionsByTopic.keySet(), e);
        }
    }

    /** A producer of string keys and raw values, acknowledged by all replicas. */
    public KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A consumer with no group, for reading topics back by manual assignment. It reads committed records only,
     * as every Slipway consumer does, so aborted transactions stay invisible to tests too.
     */
    public KafkaConsumer<String, byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Every committed record now on {@code topic} that matches, read from the start of every partition to its end. */
    public List<ConsumerRecord<String, byte[]>> readToEnd(String topic, Predicate<ConsumerRecord<String, byte[]>> match) {
        List<ConsumerRecord<String, byte[]>> matching = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitionsOf(consumer, topic, until);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > until) {
                    throw new AssertionError("could not read " + topic + " to its end within 30 s");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(record -> {
                    if (match.test(record)) {
                        matching.add(record);
                    }
                });
            }
        }
        return matching;
    }

    /**
     * Reads every partition of {@code topic} from the start until a record matches, and returns it.
     *
     * @throws AssertionError when none matched before the deadline
     */
    public ConsumerRecord<String, byte[]> awaitRecord(
            String topic, Predicate<ConsumerRecord<String, byte[]>> match, Duration deadline) {
        long until = System.nanoTime() + deadline.toNanos();
        int seen = 0;
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitionsOf(consumer, topic, until);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    seen++;
                    if (match.test(record)) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("no matching record on " + topic + " within " + deadline + " (" + seen + " read)");
    }

    /** The topic's partitions, waiting for the topic to exist (services create theirs on first write). */
    private static List<TopicPartition> partitionsOf(KafkaConsumer<String, byte[]> consumer, String topic, long until) {
        Duration left = Duration.ofNanos(Math.max(until - System.nanoTime(), 0));
        List<PartitionInfo> partitions = Awaitility.await("topic " + topic + " to exist")
                .atMost(left.plusMillis(1))
                .until(() -> consumer.listTopics().getOrDefault(topic, List.of()), found -> !found.isEmpty());
        return partitions.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    }
}
