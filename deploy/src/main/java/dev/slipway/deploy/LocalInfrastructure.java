package dev.slipway.deploy;

import dev.slipway.deploy.kafka.KafkaBrokerProcess;
import dev.slipway.deploy.kafka.TopicPlan;
import dev.slipway.deploy.postgres.LocalPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/**
 * Slipway's infrastructure on one machine: a real Kafka KRaft broker (its own process), an embedded
 * PostgreSQL, and every topic of the catalogue. Data lives under one directory, so a second start finds
 * its topics, records and rows again.
 */
public final class LocalInfrastructure implements AutoCloseable {

    /** Where and on which ports the infrastructure runs. */
    public record Settings(Path dataDirectory, int kafkaPort, int kafkaControllerPort, int postgresPort) {

        public static final Settings DEFAULTS = new Settings(Path.of(".slipway", "local"), 9092, 9093, 5432);
    }

    private volatile KafkaBrokerProcess kafka;
    private final LocalPostgres postgres;
    private final List<String> createdTopics;

    private LocalInfrastructure(KafkaBrokerProcess kafka, LocalPostgres postgres, List<String> createdTopics) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.createdTopics = createdTopics;
    }

    public static LocalInfrastructure start(Settings settings) throws Exception {
        Path data = settings.dataDirectory().toAbsolutePath();
        Ports.requireFree(settings.postgresPort(), "PostgreSQL", "--postgres-port");
        KafkaBrokerProcess kafka = KafkaBrokerProcess.start(data.resolve("kafka"), settings.kafkaPort(),
                settings.kafkaControllerPort());
        try {
            List<String> created;
            try (Admin admin = kafka.admin()) {
                created = new TopicPlan((short) 1).ensure(admin);
            }
            LocalPostgres postgres = LocalPostgres.start(data.resolve("postgres").resolve("data"), settings.postgresPort());
            return new LocalInfrastructure(kafka, postgres, created);
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
    }

    public KafkaBrokerProcess kafka() {
        return kafka;
    }

    /** Restarts the broker on its log (the services' clients reconnect by themselves). */
    public void restartKafka() throws IOException, InterruptedException {
        kafka = kafka.restart();
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    /** Topics this start created; empty when the data directory already had them all. */
    public List<String> createdTopics() {
        return createdTopics;
    }

    @Override
    public void close() throws Exception {
        try {
            kafka.close();
        } finally {
            postgres.close();
        }
    }

    /** What is running and how to reach it. */
    public void describe(PrintStream out, long startMillis) {
        String bootstrap = kafka.bootstrapServers();
        out.printf("%nSlipway local infrastructure is up (%d ms).%n", startMillis);
        out.printf("  Kafka       bootstrap.servers=%s   (KRaft broker, pid %d, ready in %d ms, log %s)%n", bootstrap,
                kafka.pid(), kafka.startUp().toMillis(), kafka.logFile());
        out.printf("  Topics      %s%n", new TopicPlan((short) 1).topics().stream()
                .map(t -> t.name() + "(" + t.partitions() + ")").toList());
        out.printf("              %s%n", createdTopics.isEmpty()
                ? "all present already" : "created now: " + createdTopics.size());
        out.printf("  PostgreSQL  %s   user %s, no password (trust, loopback only)%n", postgres.jdbcUrl(),
                LocalPostgres.USER);
        out.printf("%nList the topics with a Kafka client:%n  ./slipway-local kafka-topics --bootstrap-server %s --list%n",
                bootstrap);
        out.printf("Press Ctrl-C to stop (data is kept for the next start).%n");
    }
}
