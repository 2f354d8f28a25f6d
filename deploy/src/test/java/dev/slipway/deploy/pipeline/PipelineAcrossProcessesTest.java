package dev.slipway.deploy.pipeline;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.slipway.cas.archive.ReproducibleTar;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.deploy.kafka.KafkaBrokerProcess;
import dev.slipway.deploy.kafka.TopicPlan;
import dev.slipway.deploy.services.ServiceProcess;
import dev.slipway.events.Event;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.recipe.RecipeJson;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.KafkaClients;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Source to running hosts across real processes: a Kafka broker, cas-service, build-service and two fleet
 * agents, each its own JVM from its packaged application. The builder and one agent reach the store only
 * through cas-service's HTTP API (as on other machines); the other agent reads it from disk. A BuildRequested goes
 * in; the build runs in bubblewrap, cas-service verifies the signed provenance and flags staging, and the
 * agents roll the built service out and serve it.
 */
class PipelineAcrossProcessesTest {

    private static final String SET = "demo";
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path work;

    @Test
    void aRequestedBuildEndsUpServedByEveryHostOfTheSet() throws Exception {
        KeyPair builder = BuilderKeys.generate();
        String publicKey = BuilderKeys.encode(builder.getPublic());
        KeyPair release = BuilderKeys.generate();
        Path store = work.resolve("store");
        Path logs = Files.createDirectories(work.resolve("logs"));
        List<ServiceProcess> services = new ArrayList<>();
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(work.resolve("kafka"), ServiceProcess.freePort(),
                ServiceProcess.freePort())) {
            try (Admin admin = kafka.admin()) {
                new TopicPlan((short) 1).ensure(admin);
            }
            String bootstrap = kafka.bootstrapServers();
            try {
                ServiceProcess cas = ServiceProcess.start(REPOSITORY, "cas-service", "cas-service", ServiceProcess.freePort(), logs, Map.of(
                        "kafka.bootstrap.servers", bootstrap,
                        "slipway.cas.store.path", store.toString(),
                        "slipway.cas.flagging.trusted-builder-keys", publicKey,
                        "slipway.cas.flagging.release.private-key", BuilderKeys.encode(release.getPrivate()),
                        "slipway.cas.flagging.release.public-key", BuilderKeys.encode(release.getPublic()),
                        "slipway.cas.auth.tokens.ci.secret", "builder-secret",
                        "slipway.cas.auth.tokens.ci.roles", "reader,builder",
                        "slipway.cas.auth.tokens.fleet.secret", "fleet-secret",
                        "slipway.cas.auth.tokens.fleet.roles", "reader"));
                services.add(cas);
                String casUrl = "http://127.0.0.1:" + cas.port() + "/";
                // The builder and host-1 reach the store only through cas-service's API, as on other VMs.
                services.add(ServiceProcess.start(REPOSITORY, "build-service", "build-service", ServiceProcess.freePort(), logs, Map.of(
                        "kafka.bootstrap.servers", bootstrap,
                        "slipway.build.store-url", casUrl,
                        "slipway.build.store-token", "builder-secret",
                        "slipway.build.work-dir", work.resolve("builds").toString(),
                        "slipway.build.signing.private-key", BuilderKeys.encode(builder.getPrivate()),
                        "slipway.build.signing.public-key", publicKey)));
                List<Integer> hostPorts = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    int port = ServiceProcess.freePort();
                    hostPorts.add(port);
                    Map<String, String> agent = new LinkedHashMap<>();
                    agent.put("kafka.bootstrap.servers", bootstrap);
                    agent.put("slipway.agent.id", "host-" + i);
                    agent.put("slipway.agent.deployment-set", SET);
                    agent.put("slipway.agent.canary", Boolean.toString(i == 0));
                    agent.put("slipway.agent.root", work.resolve("host-" + i).toString());
                    if (i == 0) {
                        agent.put("slipway.agent.store-path", store.toString());
                    } else {
                        agent.put("slipway.agent.store-url", casUrl);
                        agent.put("slipway.agent.store-token", "fleet-secret");
                    }
                    agent.put("slipway.agent.trusted-builder-keys", publicKey);
                    agent.put("slipway.agent.trusted-release-keys", BuilderKeys.encode(release.getPublic()));
                    agent.put("slipway.agent.service-env.PORT", Integer.toString(port));
                    services.add(ServiceProcess.start(REPOSITORY, "fleet-agent", "agent-" + i, ServiceProcess.freePort(), logs,
                            agent));
                }
                await().atMost(Duration.ofSeconds(90)).until(() -> services.stream().allMatch(ServiceProcess::ready));

                Digest recipe = storeRecipe(new BlobStoreFileSystem(store));
                try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap, Map.of())) {
                    producer.send(new CloudEventCodec().encode(
                            Event.of("/ci/pipeline-test", new BuildRequested(recipe.toString(), "ci")))).get();
                }

                for (int port : hostPorts) {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                            .until(() -> "hello from a hermetic build\n".equals(get(port, "/index.html")));
                }
                Flags flags = new FlagStoreFileSystem(store).read(recipe).flags();
                assertNotNull(flags.built(), "cas-service recorded the verified build");
                assertEquals(flags.built().artifact(), flags.deployable().get("staging").artifact());
            } finally {
                for (ServiceProcess service : services) {
                    service.close();
                }
            }
        }
    }

    /** What `slipway push` and `slipway build` will do: the toolchain, the source and the recipe into the store. */
    private Digest storeRecipe(BlobStoreFileSystem store) throws Exception {
        Path toolchain = Files.createDirectories(work.resolve("toolchain/bin"));
        Files.copy(Path.of("/bin/busybox"), toolchain.resolve("busybox"));
        for (String applet : List.of("sh", "cp", "mkdir")) {
            Files.createSymbolicLink(toolchain.resolve(applet), Path.of("busybox"));
        }
        Path source = Files.createDirectories(work.resolve("source/www"));
        Files.writeString(source.resolve("index.html"), "hello from a hermetic build\n");
        Files.writeString(source.resolve("health"), "ok\n");
        Files.writeString(source.resolveSibling("slipway-manifest.json"), """
                {"start": ["/bin/busybox", "sh", "-c", "exec /bin/busybox httpd -f -p 127.0.0.1:$PORT -h www"]}
                """);
        Digest toolchainDigest = put(store, tar(toolchain.getParent()));
        Digest sourceDigest = put(store, tar(source.getParent()));
        String recipe = """
                {"deploymentSet": "%s",
                 "inputs": {"toolchain": {"digest": "%s", "mount": "/toolchain"},
                            "src": {"digest": "%s", "mount": "/src"}},
                 "steps": [{"name": "assemble", "argv": ["/toolchain/bin/sh", "-c",
                            "cp -r /src/www www && cp /src/slipway-manifest.json ."],
                            "env": {"PATH": "/toolchain/bin"}, "timeout": "PT1M"}],
                 "outputs": ["slipway-manifest.json", "www"],
                 "rollout": {"maxUnavailable": 1, "failureTolerance": 0, "slotDeadline": "PT2M",
                             "drainTimeout": "PT5S", "canaryHosts": [],
                             "health": {"url": "http://127.0.0.1:${PORT}/health", "timeout": "PT1S", "retries": 10,
                                        "deadline": "PT20S"}}}
                """.formatted(SET, toolchainDigest, sourceDigest);
        return put(store, RecipeJson.canonical(recipe.getBytes(UTF_8)));
    }

    private static byte[] tar(Path tree) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReproducibleTar.pack(tree, out);
        return out.toByteArray();
    }

    private static Digest put(BlobStoreFileSystem store, byte[] bytes) throws IOException {
        Digest digest = Digest.of(bytes);
        store.write(digest, new ByteArrayInputStream(bytes));
        return digest;
    }

    private static String get(int port, String path) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
