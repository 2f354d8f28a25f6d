package dev.slipway.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.deploy.kafka.TopicPlan;
import dev.slipway.deploy.kafka.TopicPlan.PlannedTopic;
import dev.slipway.events.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local infrastructure as a user runs it: a real broker process and PostgreSQL, twice on the same data. */
class LocalInfrastructureTest {

    @TempDir
    Path data;

    @Test
    void startsTheBrokerAndDatabaseCreatesEveryTopicAndKeepsAllAcrossARestart() throws Exception {
        LocalInfrastructure.Settings settings = new LocalInfrastructure.Settings(data, freePort(), freePort(), freePort());
        long brokerPid;
        try (LocalInfrastructure first = LocalInfrastructure.start(settings)) {
            brokerPid = first.kafka().pid();
            assertEquals(Set.copyOf(plannedNames()), Set.copyOf(first.createdTopics()));
            try (Admin admin = first.kafka().admin()) {
                assertTopicsAsPlanned(admin);
            }
            send(first.kafka().bootstrapServers(), "slipway.builds", "kept-key", "kept-value");
            try (Connection db = first.postgres().connect(); Statement sql = db.createStatement()) {
                sql.execute("CREATE TABLE kept (v text)");
                sql.execute("INSERT INTO kept VALUES ('row survives restart')");
            }
            assertTrue(kafkaTopicsList(first.kafka().bootstrapServers()).containsAll(plannedNames()));
        }
        assertFalse(ProcessHandle.of(brokerPid).map(ProcessHandle::isAlive).orElse(false), "broker process still running");

        try (LocalInfrastructure second = LocalInfrastructure.start(settings)) {
            assertEquals(List.of(), second.createdTopics());
            assertEquals("kept-value", readFirst(second.kafka().bootstrapServers(), "slipway.builds", "kept-key"));
            try (Connection db = second.postgres().connect();
                    Statement sql = db.createStatement();
                    ResultSet row = sql.executeQuery("SELECT v FROM kept")) {
                assertTrue(row.next());
                assertEquals("row survives restart", row.getString(1));
            }
        }
    }

    private static void assertTopicsAsPlanned(Admin admin) throws Exception {
        List<PlannedTopic> plan = new TopicPlan((short) 1).topics();
        Map<String, TopicDescription> described = admin.describeTopics(plannedNames()).allTopicNames().get();
        for (PlannedTopic topic : plan) {
            assertEquals(topic.partitions(), described.get(topic.name()).partitions().size(), topic.name());
        }
        Map<ConfigResource, Config> configs = admin.describeConfigs(plan.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic.name())).toList()).all().get();
        for (PlannedTopic topic : plan) {
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
            topic.configs().forEach((key, value) -> assertEquals(value, config.get(key).value(), topic.name() + " " + key));
        }
        Config rollouts = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, Topics.ROLLOUTS));
        assertEquals("LogAppendTime", rollouts.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value());
        assertEquals(Long.toString(TopicPlan.RETENTION.toMillis()), rollouts.get(TopicConfig.RETENTION_MS_CONFIG).value());
        Config agents = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, Topics.AGENTS));
        assertEquals("compact", agents.get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
    }

    private static List<String> plannedNames() {
        return new TopicPlan((short) 1).topics().stream().map(PlannedTopic::name).toList();
    }

    /** Kafka's own topic tool, run as its own process the way a user runs it. */
    private static Set<String> kafkaTopicsList(String bootstrap) throws IOException, InterruptedException {
        Process tool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.TopicCommand",
                "--bootstrap-server", bootstrap, "--list")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String output = new String(tool.getInputStream().readAllBytes(), UTF_8);
        assertTrue(tool.waitFor(60, TimeUnit.SECONDS), "kafka-topics did not finish");
        assertEquals(0, tool.exitValue(), output);
        return output.lines().map(String::trim).collect(Collectors.toSet());
    }

    private static void send(String bootstrap, String topic, String key, String value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static String readFirst(String bootstrap, String topic, String key) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("no record with key " + key + " on " + topic + " within 30 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
