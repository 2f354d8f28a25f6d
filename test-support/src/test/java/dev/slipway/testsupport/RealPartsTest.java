package dev.slipway.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.postgres.PostgresServer;
import dev.slipway.testsupport.s3.S3Server;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

@ExtendWith(RealParts.class)
class RealPartsTest {

    @Test
    void postgresStoresAndReturnsARow(PostgresServer postgres) throws Exception {
        try (Connection connection = postgres.dataSource().getConnection();
                Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE round_trip (id text PRIMARY KEY, body bytea NOT NULL)");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO round_trip VALUES (?, ?)")) {
                insert.setString(1, "a");
                insert.setBytes(2, "hello".getBytes(UTF_8));
                assertEquals(1, insert.executeUpdate());
            }
            try (ResultSet rows = ddl.executeQuery("SELECT id, body, version() FROM round_trip")) {
                rows.next();
                assertEquals("a", rows.getString(1));
                assertArrayEquals("hello".getBytes(UTF_8), rows.getBytes(2));
                assertEquals(true, rows.getString(3).startsWith("PostgreSQL"), rows.getString(3));
            }
        }
    }

    @Test
    void s3StoresAndReturnsAnObject(S3Server s3) {
        String bucket = S3Server.uniqueBucket();
        byte[] body = "a blob of bytes".getBytes(UTF_8);
        try (S3Client client = s3.client()) {
            client.createBucket(b -> b.bucket(bucket));
            client.putObject(p -> p.bucket(bucket).key("v1/ab/blob"), RequestBody.fromBytes(body));

            assertArrayEquals(body, client.getObjectAsBytes(g -> g.bucket(bucket).key("v1/ab/blob")).asByteArray());
            assertThrows(NoSuchKeyException.class, () -> client.getObjectAsBytes(g -> g.bucket(bucket).key("absent")));
        }
    }

    @Test
    void kafkaDeliversWhatWasProduced(KafkaBroker kafka) throws Exception {
        String topic = KafkaBroker.uniqueTopic("round-trip");
        kafka.createTopics(Map.of(topic, 1));
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(topic, "key", "value".getBytes(UTF_8))).get();
        }

        ConsumerRecord<String, byte[]> record = kafka.awaitRecord(topic, r -> true, Duration.ofSeconds(30));

        assertEquals("key", record.key());
        assertArrayEquals("value".getBytes(UTF_8), record.value());
    }

    @Test
    void everyPartIsSharedAcrossClassLoadersAsQuarkusTestsNeed(KafkaBroker kafka, PostgresServer postgres, S3Server s3)
            throws Exception {
        // A second copy of test-support's classes, with statics of their own, as a Quarkus test class loader has.
        URL[] classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> {
                    try {
                        return Path.of(entry).toUri().toURL();
                    } catch (MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toArray(URL[]::new);
        try (URLClassLoader isolated = new URLClassLoader(classpath, ClassLoader.getPlatformClassLoader())) {
            Class<?> otherKafka = isolated.loadClass(KafkaBroker.class.getName());
            assertNotSame(KafkaBroker.class, otherKafka, "the isolated loader must define its own copy");

            assertEquals(kafka.bootstrapServers(), call(otherKafka, "bootstrapServers"));
            assertEquals(postgres.port(), call(isolated.loadClass(PostgresServer.class.getName()), "port"));
            assertEquals(s3.endpoint(), URI.create(call(isolated.loadClass(S3Server.class.getName()), "endpoint")
                    .toString()));
        }
    }

    private static Object call(Class<?> part, String accessor) throws Exception {
        Object shared = part.getMethod("shared").invoke(null);
        return part.getMethod(accessor).invoke(shared);
    }
}
