package dev.slipway.events.wire;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka clients as every Slipway loop needs them: consumers that commit by hand after the effect is durable
 * and read only committed records from the start; producers that are idempotent, wait for every replica, and
 * do not block forever on an unreachable broker.
 */
public final class KafkaClients {

    private KafkaClients() {
    }

    /**
     * The cluster's security settings from the environment, spelled as Quarkus reads {@code kafka.*} for its own
     * clients: {@code KAFKA_SASL_MECHANISM} is {@code sasl.mechanism}. Only {@code security.*}, {@code sasl.*} and
     * {@code ssl.*}: everything else is each loop's own business.
     */
    public static Map<String, Object> securityFrom(Map<String, String> environment) {
        Map<String, Object> security = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith("KAFKA_")) {
                String key = name.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
                if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                    security.put(key, value);
                }
            }
        });
        return security;
    }

    /** {@code extra} adds to or overrides the defaults. */
    public static KafkaConsumer<String, byte[]> consumer(String bootstrapServers, String group, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(securityFrom(System.getenv()));
        props.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // A member that crashed holds its partitions until its session expires: 10 s, not Kafka's 45 s,
                // so a restarted builder or flagger takes its work back promptly (measured: 49 s before).
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000));
        props.putAll(extra);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** {@code extra} adds to or overrides the defaults (a transactional id, say). */
    public static KafkaProducer<String, byte[]> producer(String bootstrapServers, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(securityFrom(System.getenv()));
        props.putAll(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                // Bounds send() and initTransactions() while the broker is unreachable, so shutdown stays prompt.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000));
        props.putAll(extra);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
