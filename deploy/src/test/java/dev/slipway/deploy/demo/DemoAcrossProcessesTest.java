package dev.slipway.deploy.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.deploy.LocalInfrastructure;
import dev.slipway.deploy.services.LocalStack;
import dev.slipway.deploy.services.ServiceProcess;
import dev.slipway.events.wire.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a new user runs it, every part its own process: the local stack with five agents (host-0 the
 * canary), the example service built from source by the `slipway` command and rolled out to every host, then
 * the bad version caught by the canary and rolled back everywhere, with the release service's audit trail
 * saying why.
 */
class DemoAcrossProcessesTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path data;

    @Test
    void theExampleReachesEveryHostAndTheBadVersionIsCaughtByTheCanaryAndRolledBack() throws Exception {
        LocalInfrastructure.Settings settings = new LocalInfrastructure.Settings(data, ServiceProcess.freePort(),
                ServiceProcess.freePort(), ServiceProcess.freePort());
        List<Integer> agents = new ArrayList<>();
        List<Integer> hosts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            agents.add(ServiceProcess.freePort());
            hosts.add(ServiceProcess.freePort());
        }
        LocalStack.ServicePorts ports = new LocalStack.ServicePorts(ServiceProcess.freePort(), ServiceProcess.freePort(),
                List.of(ServiceProcess.freePort(), ServiceProcess.freePort()), agents, hosts);
        ByteArrayOutputStream story = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(story, true, StandardCharsets.UTF_8);
        try (LocalStack stack = LocalStack.start(REPOSITORY, settings, ports);
                Narrator narrator = new Narrator(stack.infrastructure().kafka().bootstrapServers(), LocalStack.DEMO_SET,
                        out)) {
            Demo demo = new Demo(LocalStack.running(REPOSITORY, settings, ports), out, narrator);

            Demo.Shipped good = demo.shipGood();
            assertTrue(good.outcome().orElseThrow(() -> new AssertionError("no outcome:\n" + story)).completed(),
                    story::toString);
            for (int port : hosts) {
                assertTrue(get(port, "/").contains("Hello from a service that Slipway built"), "host on " + port);
                assertEquals("ok", get(port, "/cgi-bin/health").strip(), "health on " + port);
            }
            await("the release service to know every host runs it").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (JsonNode host : release(ports, stack, "/api/sets/demo").get("hosts")) {
                    assertEquals(good.artifact(), host.get("current").asText(), host.toString());
                }
            });

            Demo.Shipped bad = demo.shipBad();
            Narrator.Outcome caught = bad.outcome().orElseThrow(() -> new AssertionError("no outcome:\n" + story));
            assertFalse(caught.completed(), story::toString);
            for (int port : hosts) {
                assertEquals("ok", get(port, "/cgi-bin/health").strip(), "host on " + port + " went back:\n" + story);
            }
            await("the audit trail to say the canary failed").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode audit = release(ports, stack, "/api/audit?set=demo&size=500");
                boolean canaryFailure = false;
                for (JsonNode entry : audit.get("items")) {
                    canaryFailure |= entry.get("type").asText().equals("dev.slipway.host.failed.v1")
                            && entry.get("summary").asText().startsWith("host-0 failed");
                }
                assertTrue(canaryFailure, audit::toString);
            });
            assertTrue(story.toString().contains("host-0  FAILED"), story::toString);

            // The good version released again (a second demo run, or an operator's re-promotion): every host
            // already runs it, takes its turn without switching, and the rollout completes.
            Demo.Shipped again = demo.shipGood();
            assertTrue(again.started(), "the store announces the cached build again:\n" + story);
            assertTrue(again.outcome().orElseThrow(() -> new AssertionError("it never ended:\n" + story)).completed(),
                    story::toString);
            for (int port : hosts) {
                assertEquals("ok", get(port, "/cgi-bin/health").strip(), "host on " + port);
            }
        }
    }

    private static JsonNode release(LocalStack.ServicePorts ports, LocalStack stack, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + ports.release() + path)).header("Authorization", "Bearer " + stack.tokens().get("operator"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return EventJson.mapper().readTree(response.body());
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
