package dev.slipway.deploy.kafka;

import dev.slipway.deploy.Ports;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Apache Kafka broker (combined KRaft broker and controller) run as its own JVM from the
 * {@code org.apache.kafka} jars on this process's classpath, the way the distribution's start script runs it.
 *
 * <p>Everything lives under one directory: {@code server.properties}, the formatted log directory (kept
 * across restarts, so topics and records survive), {@code broker.log} and {@code broker.pid}. A broker left
 * running by a parent that was killed is found through the pid file and stopped before a new one starts.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    /** First on the broker's command line, where the pid-file check can see it (the OS truncates long ones). */
    private static final String MARKER = "-Dslipway.local.role=kafka-broker";
    private static final Duration READY_DEADLINE = Duration.ofSeconds(90);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(30);

    private final Path directory;
    private final int port;
    private final int controllerPort;
    private final Process process;
    private Duration startUp;

    private KafkaBrokerProcess(Path directory, int port, int controllerPort, Process process) {
        this.directory = directory;
        this.port = port;
        this.controllerPort = controllerPort;
        this.process = process;
    }

    /** Stops the broker and starts it again on the same log and ports: what an upgrade or a reboot does. */
    public KafkaBrokerProcess restart() throws IOException, InterruptedException {
        close();
        return start(directory, port, controllerPort);
    }

    /**
     * Formats the storage on first use, starts the broker and waits until it answers.
     *
     * @param port           the client (PLAINTEXT) port on 127.0.0.1
     * @param controllerPort the KRaft controller port; keep it stable for a given directory, since the
     *                       quorum's voter set, endpoint included, is recorded in the log at format time
     */
    public static KafkaBrokerProcess start(Path directory, int port, int controllerPort)
            throws IOException, InterruptedException {
        Files.createDirectories(directory);
        stopOrphan(directory);
        // Without this check the readiness probe below could be answered by whatever already listens there.
        Ports.requireFree(port, "the Kafka broker", "--kafka-port");
        Ports.requireFree(controllerPort, "the Kafka controller", "--kafka-port (the controller takes the next port)");
        Path config = writeConfig(directory, port, controllerPort);
        if (!Files.exists(logDirectory(directory).resolve("meta.properties"))) {
            format(directory, config);
        }
        long launched = System.nanoTime();
        Process process = java(directory, "kafka.Kafka", config.toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("broker.log").toFile()))
                .start();
        Files.writeString(pidFile(directory), Long.toString(process.pid()));
        KafkaBrokerProcess broker = new KafkaBrokerProcess(directory, port, controllerPort, process);
        broker.awaitReady();
        broker.startUp = Duration.ofNanos(System.nanoTime() - launched);
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** From launching the broker's JVM to its first answer to a client. */
    public Duration startUp() {
        return startUp;
    }

    public Path logFile() {
        return directory.resolve("broker.log");
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Stops the broker as its own script does (SIGTERM, a clean controlled shutdown), then harder if it hangs. */
    @Override
    public void close() throws InterruptedException, IOException {
        process.destroy();
        if (!process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        Files.deleteIfExists(pidFile(directory));
    }

    private void awaitReady() throws InterruptedException, IOException {
        long until = System.nanoTime() + READY_DEADLINE.toNanos();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000"))) {
            while (System.nanoTime() < until) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited with status " + process.exitValue()
                            + " before it was ready; see " + logFile() + tail());
                }
                try {
                    admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException notYet) {
                    // Not listening yet: try again until the deadline.
                }
            }
        }
        close();
        throw new IllegalStateException("the Kafka broker did not answer on " + bootstrapServers() + " within "
                + READY_DEADLINE.toSeconds() + " s; is the port taken? See " + logFile() + tail());
    }

    private String tail() throws IOException {
        List<String> lines = Files.exists(logFile()) ? Files.readAllLines(logFile()) : List.of();
        return "\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private static void format(Path directory, Path config) throws IOException, InterruptedException {
        Process format = java(directory, "kafka.tools.StorageTool", "format",
                "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--standalone")
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("broker.log").toFile()))
                .start();
        if (format.waitFor() != 0) {
            throw new IllegalStateException("formatting the Kafka storage failed; see " + directory.resolve("broker.log"));
        }
    }

    private static Path writeConfig(Path directory, int port, int controllerPort) throws IOException {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDirectory(directory).toString());
        // A single node: every replication factor and minimum ISR is 1, or internal topics never come up.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Topics come from the plan, never from a typo in a client.
        props.put("auto.create.topics.enable", "false");
        Path config = directory.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            props.store(out, "Written by Slipway's local infrastructure at every start");
        }
        return config;
    }

    private static ProcessBuilder java(Path directory, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                MARKER,
                "-Xms256m", "-Xmx1g",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    }

    private static void stopOrphan(Path directory) throws IOException, InterruptedException {
        Path pidFile = pidFile(directory);
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> orphan = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                .filter(p -> p.info().commandLine().map(c -> c.contains(MARKER)).orElse(false));
        if (orphan.isPresent()) {
            System.out.println("Stopping a Kafka broker left running by an earlier run (pid " + orphan.get().pid() + ")");
            orphan.get().destroy();
            try {
                orphan.get().onExit().get(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                orphan.get().destroyForcibly();
            }
        }
        Files.delete(pidFile);
    }

    private static Path logDirectory(Path directory) {
        return directory.resolve("data");
    }

    private static Path pidFile(Path directory) {
        return directory.resolve("broker.pid");
    }
}
