package dev.slipway.agent.run;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.slipway.agent.host.Hooks;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.agent.host.SwitchHooks;
import dev.slipway.cas.archive.ReproducibleTar;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.blob.CountingBlobStore;
import dev.slipway.cas.chunk.ChunkIndex;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.AgentState;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.cas.release.ChannelState;
import dev.slipway.cas.release.SignedChannelState;
import dev.slipway.events.recipe.RecipeJson;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.testsupport.kafka.KafkaBroker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * A store with releases of a tiny real service (busybox httpd serving {@code /version} and, when healthy,
 * {@code /health}), and a fleet of agents in this JVM, each with its own root directory and port.
 */
final class FleetFixture implements AutoCloseable {

    static final KeyPair BUILDER = BuilderKeys.generate();
    /** The store's release key: the agents act only on channel states it signed. */
    static final KeyPair RELEASE = BuilderKeys.generate();
    /** How long each channel state the fixture signs is valid. */
    Duration stateValidity = Duration.ofHours(1);

    final String set = "set-" + UUID.randomUUID().toString().substring(0, 8);
    final Path root;
    final BlobStoreFileSystem store;
    /** The store as the agents see it, counting what they read. */
    final CountingBlobStore reads;
    final FlagStoreFileSystem flags;
    final KafkaBroker kafka;
    final List<Agent> agents = new ArrayList<>();
    final List<Integer> ports = new ArrayList<>();
    /** How the next agents activate their service: null, the agent supervises it; else these commands. */
    Hooks.Commands hooks;
    /** How long the next releases' gate waits for an approval after the canaries (ISO-8601); null: no gate. */
    String approvalWithin;
    /** Whether the next releases' gate waits for an approval before each batch, not only the first. */
    boolean approveEachBatch;
    /** The next releases' release tag (rollout.release); none when null. */
    String releaseTag;
    /** The sets the next releases follow (rollout.after); none when empty. */
    List<String> after = List.of();
    /** The next releases' deployment windows; none when empty. */
    List<String> windows = List.of();
    /** The next agents' commands around each switch; null for none. */
    SwitchHooks.Commands switchHooks;
    /** Records of the set between checkpoints, for the agents started next. */
    long checkpointRecords = AgentSettings.CHECKPOINT_RECORDS;
    /** Bytes the next releases carry in {@code www/payload}; none when null. */
    byte[] payload;
    /** The recipe's health check of the next releases, as JSON. */
    String healthCheck = """
            {"url": "http://127.0.0.1:${PORT}/health", "timeout": "PT1S", "retries": 4, "deadline": "PT6S"}""";
    private final List<Thread> threads = new ArrayList<>();
    private final List<Boolean> canary = new ArrayList<>();
    private final CloudEventCodec codec = new CloudEventCodec();
    /** The set's channel state as last signed. */
    ChannelState channelState;

    FleetFixture(Path root) throws IOException {
        this(root, KafkaBroker.shared());
    }

    /** A fleet on another broker (a cluster the test started, with its topics already made). */
    FleetFixture(Path root, KafkaBroker kafka) throws IOException {
        if (!Files.isExecutable(Path.of("/bin/busybox"))) {
            // Otherwise every service fails to start inside an agent, and the test times out saying nothing.
            throw new IllegalStateException("/bin/busybox is missing, which the releases of these tests run:"
                    + " run ./setup once on this machine");
        }
        this.root = root;
        this.kafka = kafka;
        this.store = new BlobStoreFileSystem(root.resolve("store"));
        this.reads = new CountingBlobStore(store);
        this.flags = new FlagStoreFileSystem(root.resolve("store"));
        this.channelState = ChannelState.none(set);
        try {
            kafka.createTopics(Map.of(Topics.ROLLOUTS, 4, Topics.DEPLOYABLES, 4, Topics.AGENTS, 4));
        } catch (IllegalStateException alreadyCreated) {
            // Another test of this JVM created them.
        }
    }

    /** Starts {@code count} more agents, numbered on from those running; the first {@code canaries} are canaries. */
    void startAgents(int count, int canaries) throws IOException {
        int first = agents.size();
        for (int i = first; i < first + count; i++) {
            ports.add(freePort());
            canary.add(i - first < canaries);
            agents.add(null);
            threads.add(null);
            run(i);
        }
    }

    /** Stops host {@code i}'s agent, leaving its service running, and starts a new run of it on the same disk. */
    void restartAgent(int i) throws Exception {
        stopAgent(i);
        run(i);
    }

    /** Stops host {@code i}'s agent and waits for it to end; its service keeps running. */
    void stopAgent(int i) throws InterruptedException {
        agents.get(i).stop(false);
        threads.get(i).join(10_000);
    }

    /** Starts a new run of host {@code i}'s agent on the disk it had. */
    void run(int i) throws IOException {
        Agent agent = new Agent(new AgentSettings("host-" + i, set, "staging", root.resolve("host-" + i),
                canary.get(i), 3, Map.of("PORT", Integer.toString(ports.get(i)), "HOST", "host-" + i),
                BuilderKeys.trusted(List.of(BuilderKeys.encode(BUILDER.getPublic()))),
                BuilderKeys.trusted(List.of(BuilderKeys.encode(RELEASE.getPublic()))), hooks, false,
                checkpointRecords, 1, switchHooks),
                reads, flags, kafka.bootstrapServers());
        Thread thread = new Thread(agent, "agent-" + i);
        agents.set(i, agent);
        threads.set(i, thread);
        thread.start();
    }

    /** Stores a release whose service answers {@code /version} with {@code version}, built and signed. */
    Release release(String version, boolean healthy, int maxUnavailable, String slotDeadline) throws IOException {
        return release(version, healthy, new Policy(maxUnavailable, 0, slotDeadline, "PT2S", null), BUILDER);
    }

    Release release(String version, boolean healthy, int maxUnavailable, String slotDeadline, KeyPair signer)
            throws IOException {
        return release(version, healthy, new Policy(maxUnavailable, 0, slotDeadline, "PT2S", null), signer);
    }

    /**
     * @param drain            a shell script the release's manifest runs to drain it; null for none
     * @param progressDeadline how long a rollout waits for a member's claim; null: the recipe leaves it out
     */
    record Policy(int maxUnavailable, int failureTolerance, String slotDeadline, String drainTimeout, String drain,
            String progressDeadline) {

        Policy(int maxUnavailable, int failureTolerance, String slotDeadline, String drainTimeout, String drain) {
            this(maxUnavailable, failureTolerance, slotDeadline, drainTimeout, drain, null);
        }
    }

    /** A release whose provenance is signed by {@code signer}, trusted or not. */
    Release release(String version, boolean healthy, Policy policy, KeyPair signer) throws IOException {
        return release(version, healthy, policy, signer, Map.of());
    }

    /** @param cgi scripts served under {@code /cgi-bin/<name>} */
    Release release(String version, boolean healthy, Policy policy, KeyPair signer, Map<String, String> cgi)
            throws IOException {
        Path tree = Files.createDirectories(root.resolve("releases").resolve(version));
        Files.createDirectories(tree.resolve("www"));
        Files.writeString(tree.resolve("www/version"), version);
        if (payload != null) {
            Files.write(tree.resolve("www/payload"), payload);
        }
        if (healthy) {
            Files.writeString(tree.resolve("www/health"), "ok");
        }
        for (Map.Entry<String, String> script : cgi.entrySet()) {
            Path file = Files.createDirectories(tree.resolve("www/cgi-bin")).resolve(script.getKey());
            Files.writeString(file, script.getValue());
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String drain = policy.drain() == null ? "" : ", \"drain\": [\"/bin/busybox\", \"sh\", \"-c\", \""
                + policy.drain().replace("\"", "\\\"") + "\"]";
        Files.writeString(tree.resolve("slipway-manifest.json"), """
                {"start": ["/bin/busybox", "sh", "-c", "exec /bin/busybox httpd -f -p 127.0.0.1:$PORT -h www"]%s}
                """.formatted(drain));
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        ReproducibleTar.pack(tree, tar);
        Digest artifact = put(tar.toByteArray());
        Digest chunkIndex = ChunkIndex.store(store, Files.write(root.resolve("releases/" + version + ".tar"),
                tar.toByteArray())).digest();
        String recipeJson = """
                {"deploymentSet": "%s", "inputs": {}, "outputs": ["www"],
                 "steps": [{"name": "none", "argv": ["/bin/true", "%s"], "env": {}, "timeout": "PT1M"}],
                 "rollout": {"maxUnavailable": %d, "failureTolerance": %d, "slotDeadline": "%s",
                             "drainTimeout": "%s", "canaryHosts": [],%s%s%s
                             "health": %s}}
                """.formatted(set, version, policy.maxUnavailable(), policy.failureTolerance(), policy.slotDeadline(),
                policy.drainTimeout(), policy.progressDeadline() == null ? ""
                        : " \"progressDeadline\": \"" + policy.progressDeadline() + "\",",
                approvalWithin == null ? "" : " \"approvalWithin\": \"" + approvalWithin + "\","
                        + (approveEachBatch ? " \"approveEachBatch\": true," : ""),
                (windows.isEmpty() ? "" : " \"windows\": [\"" + String.join("\", \"", windows) + "\"],")
                        + (releaseTag == null ? "" : " \"release\": \"" + releaseTag + "\",")
                        + (after.isEmpty() ? "" : " \"after\": [\"" + String.join("\", \"", after) + "\"],"),
                healthCheck);
        Digest recipe;
        try {
            recipe = put(RecipeJson.canonical(recipeJson.getBytes(UTF_8)));
        } catch (dev.slipway.events.recipe.InvalidRecipeException e) {
            throw new IllegalStateException(e);
        }
        Instant now = Instant.now();
        Provenance provenance = new Provenance(artifact, recipe, Map.of(), "builder-test", true, "test", now, now,
                put("log".getBytes(UTF_8)), chunkIndex);
        Digest signed = put(provenance.sign(signer.getPrivate(), signer.getPublic()).toJson());
        flags.update(recipe, f -> f.withBuilt(new Flags.Built(artifact, signed, set, "test", now)));
        return new Release(version, recipe, artifact);
    }

    record Release(String version, Digest recipe, Digest artifact) {
    }

    /** As cas-service flags a release: the deployable, then the set's channel state naming it, signed. */
    ChannelStateSigned deploy(Release release) throws Exception {
        Event<ArtifactDeployable> deployable = Event.of("/cas-service/test", new ArtifactDeployable(set, "staging",
                release.recipe().toString(), release.artifact().toString(), "test"));
        send(deployable);
        return publish(channelState.flagged("staging", new ChannelState.Release(release.recipe().toString(),
                release.artifact().toString(), deployable.id(), deployable.time())));
    }

    /** As cas-service revokes a release: the channel falls back to the one before it, or holds. */
    void revoke(Release release, String reason) throws Exception {
        Instant now = Instant.now();
        publish(channelState.revokedRecipe(release.recipe().toString(), release.artifact().toString(),
                new ChannelState.Revocation(release.recipe().toString(), reason, now),
                channel -> UUID.randomUUID().toString()));
    }

    /** Signs {@code next} under the next version and publishes it; returns the record as published. */
    ChannelStateSigned publish(ChannelState next) throws Exception {
        channelState = next.nextVersion(Instant.now().plus(stateValidity));
        ChannelStateSigned signed = new ChannelStateSigned(set, channelState.version(),
                new String(SignedChannelState.sign(channelState, RELEASE), UTF_8));
        send(Event.of("/cas-service/test", signed));
        return signed;
    }

    /** Every agent's fold has the release's rollout completed and announced, and every host runs it. */
    boolean completed(Release release) {
        return agents.stream().allMatch(a -> {
            Rollout r = a.fold().rollout();
            return r != null && r.artifact().equals(release.artifact().toString())
                    && r.status() == Rollout.Status.COMPLETED && r.announced() && runs(a, release.artifact());
        });
    }

    /** The set's records of {@code type} on its log so far, in log order. */
    <T> List<T> onTheLog(Class<T> type) {
        List<T> found = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : kafka.readToEnd(Topics.ROLLOUTS, r -> set.equals(r.key()))) {
            try {
                Object data = codec.decode(record).data();
                if (type.isInstance(data)) {
                    found.add(type.cast(data));
                }
            } catch (EventDecodingException unreadable) {
                throw new AssertionError(unreadable);
            }
        }
        return found;
    }

    void send(Event<?> event) throws Exception {
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(codec.encode(event)).get();
        }
    }

    static boolean runs(Agent agent, Digest artifact) {
        try {
            return agent.current().equals(Optional.of(artifact));
        } catch (IOException e) {
            return false;
        }
    }

    /** The latest state a host's agent of this fixture's set published on {@code slipway.agents}. */
    Optional<AgentState> latestState(String host) {
        AgentState latest = null;
        for (ConsumerRecord<String, byte[]> record : kafka.readToEnd(Topics.AGENTS, r -> host.equals(r.key()))) {
            try {
                // Host ids repeat across the tests that share the broker; the set is this fixture's own.
                if (codec.decode(record).data() instanceof AgentState state && set.equals(state.deploymentSet())) {
                    latest = state;
                }
            } catch (EventDecodingException e) {
                throw new AssertionError("an agent wrote an undecodable state: " + e.getMessage(), e);
            }
        }
        return Optional.ofNullable(latest);
    }

    Digest put(byte[] bytes) throws IOException {
        Digest digest = Digest.of(bytes);
        store.write(digest, new ByteArrayInputStream(bytes));
        return digest;
    }

    @Override
    public void close() throws Exception {
        for (Agent agent : agents) {
            agent.close();
        }
        for (Thread thread : threads) {
            thread.join(10_000);
        }
    }

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The body of a 200 answer from a host's service, or null. */
    static String get(int port, String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A port nothing listens on now, for a host's service. */
    static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + DEADLINE + ": " + what);
            }
            Thread.sleep(100);
        }
    }
}
