package dev.slipway.deploy.services;

import dev.slipway.agent.AgentConfig;
import dev.slipway.build.BuildConfig;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.service.auth.AuthConfig;
import dev.slipway.cas.service.flagging.FlaggingConfig;
import dev.slipway.cas.service.store.StoreConfig;
import dev.slipway.deploy.LocalInfrastructure;
import dev.slipway.deploy.demo.Demo;
import dev.slipway.deploy.postgres.LocalPostgres;
import dev.slipway.events.Topics;
import dev.slipway.release.provenance.ProvenanceConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The whole pipeline on one machine: the local infrastructure, then cas-service, build-service,
 * release-service and a demo fleet of agents (the first a canary), each its own process from its packaged
 * application, sharing the filesystem store under the data directory. Keys and tokens are created once and
 * kept there, so a second start is the same stack.
 */
public final class LocalStack implements AutoCloseable {

    /**
     * Ports of the services; builder {@code i} listens on {@code builders.get(i)} (the demo set requires all of
     * them to build the same bytes), agent {@code i} on {@code agents.get(i)}, its service on {@code hosts.get(i)}.
     */
    public record ServicePorts(int release, int cas, List<Integer> builders, List<Integer> agents, List<Integer> hosts,
            List<OtherSet> otherSets, Map<String, String> agentProperties) {

        public ServicePorts {
            if (builders.isEmpty()) {
                throw new IllegalArgumentException("the stack needs at least one builder");
            }
            builders = List.copyOf(builders);
            otherSets = List.copyOf(otherSets);
            agentProperties = Map.copyOf(agentProperties);
        }

        public ServicePorts(int release, int cas, List<Integer> builders, List<Integer> agents, List<Integer> hosts) {
            this(release, cas, builders, agents, hosts, List.of(), Map.of());
        }

        /**
         * The demo set's {@code agents} on 8090+ (their services on 9100+), then one agent for each other set; every
         * agent also gets {@code agentProperties}.
         */
        public static ServicePorts defaults(int agents, List<String> otherSets, Map<String, String> agentProperties) {
            List<Integer> agentPorts = new ArrayList<>();
            List<Integer> hostPorts = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                agentPorts.add(8090 + i);
                hostPorts.add(9100 + i);
            }
            List<OtherSet> others = new ArrayList<>();
            for (int i = 0; i < otherSets.size(); i++) {
                others.add(new OtherSet(otherSets.get(i), 8090 + agents + i, 9100 + agents + i));
            }
            return new ServicePorts(8080, 8081, List.of(8082, 8083), agentPorts, hostPorts, others, agentProperties);
        }
    }

    /** A set besides the demo's, with one agent ({@code <name>-host-0}), for releases that one set follows. */
    public record OtherSet(String name, int agentPort, int hostPort) {
    }

    public static final String DEMO_SET = "demo";
    private static final String KAFKA = "kafka.bootstrap.servers";
    private static final Duration READY = Duration.ofSeconds(120);

    private final LocalInfrastructure infrastructure;
    private final List<ServiceProcess> services;
    private final Map<String, String> tokens;
    private final Path data;
    private final Path repository;
    private final List<String> builderPublicKeys;

    private LocalStack(LocalInfrastructure infrastructure, List<ServiceProcess> services, Map<String, String> tokens,
            Path data, Path repository, List<String> builderPublicKeys) {
        this.repository = repository;
        this.infrastructure = infrastructure;
        this.services = services;
        this.tokens = tokens;
        this.data = data;
        this.builderPublicKeys = List.copyOf(builderPublicKeys);
    }

    public static LocalStack start(Path repository, LocalInfrastructure.Settings settings, ServicePorts ports)
            throws Exception {
        Path data = settings.dataDirectory().toAbsolutePath();
        LocalInfrastructure infrastructure = LocalInfrastructure.start(settings);
        List<ServiceProcess> services = new ArrayList<>();
        try {
            Path logs = Files.createDirectories(data.resolve("logs"));
            Path store = data.resolve("cas");
            List<KeyPair> builders = new ArrayList<>();
            for (int i = 0; i < ports.builders().size(); i++) {
                builders.add(keptKey(data.resolve("build-key"), keyName(i)));
            }
            List<String> builderKeys = builders.stream().map(keys -> BuilderKeys.encode(keys.getPublic())).toList();
            String publicKey = String.join(",", builderKeys);
            KeyPair releaseKey = keptKey(data.resolve("release-key"), "release");
            String releasePublicKey = BuilderKeys.encode(releaseKey.getPublic());
            Map<String, String> tokens = keptTokens(data.resolve("tokens"));
            String kafka = infrastructure.kafka().bootstrapServers();
            ServiceSettings cas = new ServiceSettings()
                    .external(KAFKA, kafka)
                    .set(StoreConfig.class, StoreConfig::path, store)
                    .set(FlaggingConfig.class, FlaggingConfig::trustedBuilderKeys, publicKey)
                    .set(FlaggingConfig.class, c -> c.release().privateKey(), BuilderKeys.encode(releaseKey.getPrivate()))
                    .set(FlaggingConfig.class, c -> c.release().publicKey(), releasePublicKey)
                    // Short on the local stack, so that a stopped store shows on the hosts within minutes.
                    .set(FlaggingConfig.class, c -> c.release().validity(), Duration.ofMinutes(10))
                    .set(FlaggingConfig.class, c -> c.release().renewEvery(), Duration.ofMinutes(1))
                    .set(FlaggingConfig.class, c -> c.agreement().deadline(), Duration.ofMinutes(10));
            // Every builder of the stack must build the same bytes before a set of the stack gets them.
            for (String set : setNames(ports)) {
                cas.set(FlaggingConfig.class, c -> c.agreement().sets().get(set).required(), builders.size())
                        .set(FlaggingConfig.class, c -> c.agreement().sets().get(set).builders(), publicKey);
            }
            tokens.forEach((role, secret) -> cas
                    .set(AuthConfig.class, c -> c.tokens().get(role).secret(), secret)
                    .set(AuthConfig.class, c -> c.tokens().get(role).roles(), role.equals("operator")
                            ? "reader,releaser" : role.equals("ci") ? "reader,builder" : "reader"));
            services.add(ServiceProcess.start(repository, "cas-service", "cas-service", ports.cas(), logs, cas.asMap()));
            for (int i = 0; i < builders.size(); i++) {
                services.add(builder(repository, kafka, data, i == 0 ? "build-service" : "build-service-" + (i + 1),
                        "build-service-" + (i + 1), builders.get(i), ports.builders().get(i)));
            }
            ServiceSettings release = new ServiceSettings()
                    .external(KAFKA, kafka)
                    .external("quarkus.datasource.jdbc.url", infrastructure.postgres().jdbcUrl())
                    .external("quarkus.datasource.reactive.url", infrastructure.postgres().reactiveUrl())
                    .external("quarkus.datasource.username", LocalPostgres.USER)
                    .set(ProvenanceConfig.class, c -> c.store().storePath(), store)
                    .set(ProvenanceConfig.class, ProvenanceConfig::trustedBuilderKeys, publicKey);
            tokens.forEach((role, secret) -> release
                    .set(dev.slipway.release.auth.AuthConfig.class, c -> c.tokens().get(role).secret(), secret)
                    .set(dev.slipway.release.auth.AuthConfig.class, c -> c.tokens().get(role).roles(),
                            role.equals("operator") ? "viewer,operator" : role.equals("holder") ? "viewer,holder" : "viewer"));
            services.add(ServiceProcess.start(repository, "release-service", "release-service", ports.release(), logs,
                    release.asMap()));
            ServiceSettings trust = new ServiceSettings()
                    .given(AgentConfig.class, ports.agentProperties())
                    .external(KAFKA, kafka)
                    .set(AgentConfig.class, c -> c.store().storeUrl(), "http://127.0.0.1:" + ports.cas() + "/")
                    .set(AgentConfig.class, c -> c.store().storeToken(), tokens.get("fleet"))
                    .set(AgentConfig.class, AgentConfig::trustedBuilderKeys, publicKey)
                    .set(AgentConfig.class, AgentConfig::requiredBuilders, builders.size())
                    .set(AgentConfig.class, AgentConfig::trustedReleaseKeys, releasePublicKey)
                    .set(AgentConfig.class, AgentConfig::stopServiceOnExit, true);
            for (int i = 0; i < ports.agents().size(); i++) {
                services.add(agent(repository, logs, trust, "agent-" + i, "host-" + i, DEMO_SET, i == 0,
                        data.resolve("fleet").resolve("host-" + i), ports.agents().get(i), ports.hosts().get(i)));
            }
            for (OtherSet other : ports.otherSets()) {
                String host = other.name() + "-host-0";
                services.add(agent(repository, logs, trust, "agent-" + host, host, other.name(), false,
                        data.resolve("fleet").resolve(host), other.agentPort(), other.hostPort()));
            }
            awaitReady(services);
            return new LocalStack(infrastructure, services, tokens, data, repository, builderKeys);
        } catch (Exception e) {
            for (ServiceProcess service : services) {
                service.close();
            }
            infrastructure.close();
            throw e;
        }
    }

    private static ServiceProcess agent(Path repository, Path logs, ServiceSettings trust, String name, String host,
            String set, boolean canary, Path root, int port, int servicePort) throws IOException {
        ServiceSettings settings = trust.copy()
                .set(AgentConfig.class, AgentConfig::id, host)
                .set(AgentConfig.class, AgentConfig::deploymentSet, set)
                .set(AgentConfig.class, AgentConfig::canary, canary)
                .set(AgentConfig.class, AgentConfig::root, root)
                .set(AgentConfig.class, c -> c.serviceEnv().get("PORT"), servicePort);
        return ServiceProcess.start(repository, "fleet-agent", name, port, logs, settings.asMap());
    }

    private static List<String> setNames(ServicePorts ports) {
        List<String> sets = new ArrayList<>(List.of(DEMO_SET));
        ports.otherSets().forEach(other -> sets.add(other.name()));
        return sets;
    }

    public LocalInfrastructure infrastructure() {
        return infrastructure;
    }

    public List<ServiceProcess> services() {
        return List.copyOf(services);
    }

    /** Bearer tokens by name: {@code ci} (reader, builder), {@code operator} (reader, releaser), {@code fleet}. */
    public Map<String, String> tokens() {
        return Map.copyOf(tokens);
    }

    /**
     * {@code kill -9} of one service's JVM and a restart of it (see {@link ServiceProcess#crashAndRestart}),
     * returning once it is ready again.
     */
    public synchronized ServiceProcess crashAndRestart(String name) throws IOException, InterruptedException {
        for (int i = 0; i < services.size(); i++) {
            if (services.get(i).name().equals(name)) {
                services.set(i, services.get(i).crashAndRestart());
                awaitReady(List.of(services.get(i)));
                return services.get(i);
            }
        }
        throw new IllegalArgumentException("no service named " + name + " in " + services);
    }

    /**
     * One more build-service beside the stack's, for what must not count towards agreement: a builder outside
     * the policy (a key of its own) or a second builder holding one of the stack's keys. It builds every request
     * from now on in its own consumer group, and is stopped with the stack.
     */
    public synchronized ServiceProcess startBuilder(String name, KeyPair keys, int port) throws IOException,
            InterruptedException, ExecutionException {
        // From the log's end, as a builder added to a running fleet is started (kafka-consumer-groups
        // --reset-offsets --to-latest): its group would otherwise rebuild every request the log still holds.
        try (Admin admin = infrastructure.kafka().admin()) {
            Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
            admin.describeTopics(List.of(Topics.BUILDS)).allTopicNames().get().get(Topics.BUILDS).partitions()
                    .forEach(partition -> partitions.put(new TopicPartition(Topics.BUILDS, partition.partition()),
                            OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            admin.listOffsets(partitions).all().get().forEach((partition, end) -> ends.put(partition,
                    new OffsetAndMetadata(end.offset())));
            admin.alterConsumerGroupOffsets(name, ends).all().get();
        }
        ServiceProcess builder = builder(repository, infrastructure.kafka().bootstrapServers(), data, name, name, keys,
                port);
        services.add(builder);
        awaitReady(List.of(builder));
        return builder;
    }

    /** The key pair of the stack's builder {@code i}. */
    public KeyPair builderKeys(int i) throws IOException {
        return keptKey(data.resolve("build-key"), keyName(i));
    }

    /** A builder with its own id, key, consumer group and work directory: it builds every request on its own. */
    private static ServiceProcess builder(Path repository, String kafka, Path data, String name, String builderId,
            KeyPair keys, int port) throws IOException {
        return ServiceProcess.start(repository, "build-service", name, port, data.resolve("logs"), new ServiceSettings()
                .external(KAFKA, kafka)
                .set(BuildConfig.class, BuildConfig::builderId, builderId)
                .set(BuildConfig.class, BuildConfig::consumerGroup, name)
                .set(BuildConfig.class, c -> c.store().storePath(), data.resolve("cas"))
                .set(BuildConfig.class, BuildConfig::workDir, data.resolve("builds").resolve(name))
                .set(BuildConfig.class, c -> c.signing().privateKey(), BuilderKeys.encode(keys.getPrivate()))
                .set(BuildConfig.class, c -> c.signing().publicKey(), BuilderKeys.encode(keys.getPublic()))
                .asMap());
    }

    /** The builders' public keys (base64 X.509), in port order: what `slipway verify` and the agents trust. */
    public List<String> builderPublicKeys() {
        return builderPublicKeys;
    }

    /** The name of builder {@code i}'s key files under {@code build-key/}. */
    private static String keyName(int i) {
        return i == 0 ? "builder" : "builder-" + (i + 1);
    }

    @Override
    public void close() throws Exception {
        try {
            for (ServiceProcess service : services) {
                service.close();
            }
        } finally {
            infrastructure.close();
        }
    }

    /** The last lines of a log, for a message that must be read after the log's directory is gone. */
    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void awaitReady(List<ServiceProcess> services) throws InterruptedException {
        long until = System.nanoTime() + READY.toNanos();
        for (ServiceProcess service : services) {
            while (!service.ready()) {
                if (!service.alive()) {
                    throw new IllegalStateException(service.name() + " exited during start-up; see " + service.log()
                            + ", which ends:\n" + tail(service.log(), 20));
                }
                if (System.nanoTime() > until) {
                    throw new IllegalStateException(service.name() + " not ready within " + READY + "; see "
                            + service.log());
                }
                Thread.sleep(200);
            }
        }
    }

    /** The key pair {@code <name>.key} and {@code <name>.pub} in the directory, made on first start. */
    private static KeyPair keptKey(Path directory, String name) throws IOException {
        Path privateFile = directory.resolve(name + ".key");
        Path publicFile = directory.resolve(name + ".pub");
        if (!Files.exists(privateFile)) {
            KeyPair keys = BuilderKeys.generate();
            Files.createDirectories(directory);
            Files.writeString(publicFile, BuilderKeys.encode(keys.getPublic()));
            Files.writeString(Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------"))), BuilderKeys.encode(keys.getPrivate()));
        }
        return new KeyPair(BuilderKeys.publicKey(Files.readString(publicFile)),
                BuilderKeys.privateKey(Files.readString(privateFile)));
    }

    private static Map<String, String> keptTokens(Path directory) throws IOException {
        Files.createDirectories(directory);
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String name : List.of("ci", "operator", "fleet", "holder")) {
            Path file = directory.resolve(name);
            if (!Files.exists(file)) {
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))),
                        HexFormat.of().formatHex(random));
            }
            tokens.put(name, Files.readString(file).strip());
        }
        return tokens;
    }

    /** The stack as the demo and the CLI reach it, from what a running (or earlier) stack keeps in its data directory. */
    public static Demo.Stack running(Path repository, LocalInfrastructure.Settings settings, ServicePorts ports)
            throws IOException {
        Path data = settings.dataDirectory().toAbsolutePath();
        List<String> builderKeys = new ArrayList<>();
        for (int i = 0; i < ports.builders().size(); i++) {
            builderKeys.add(Files.readString(data.resolve("build-key").resolve(keyName(i) + ".pub")).trim());
        }
        return new Demo.Stack(repository, data, "127.0.0.1:" + settings.kafkaPort(), ports.cas(), ports.release(),
                ports.hosts(), keptTokens(data.resolve("tokens")), builderKeys);
    }

    void describe(PrintStream out, long millis) {
        infrastructure.describe(out, millis);
        out.printf("%nServices (logs in %s):%n", data.resolve("logs"));
        for (ServiceProcess service : services) {
            out.printf("  %-16s http://127.0.0.1:%d/q/health   pid %d%n", service.name(), service.port(), service.pid());
        }
        out.printf("Tokens (bearer, kept in %s): ci=%s operator=%s fleet=%s holder=%s%n", data.resolve("tokens"),
                tokens.get("ci"), tokens.get("operator"), tokens.get("fleet"), tokens.get("holder"));
        out.printf("The demo fleet is set '%s' (host-0 is the canary), store in %s.%n", DEMO_SET, data.resolve("cas"));
    }
}
