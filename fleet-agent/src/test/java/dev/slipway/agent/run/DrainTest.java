package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.events.Topics;
import dev.slipway.events.rollout.HostDrained;
import dev.slipway.events.wire.CloudEventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A drain hook that waits for in-flight work holds the stop back, and the request in flight completes. */
class DrainTest {

    @TempDir
    Path root;

    @Test
    void aRequestInFlightToTheOldVersionCompletesBeforeItStops() throws Exception {
        Path inFlight = root.resolve("in-flight");
        // A slow request marks itself in flight; the drain hook waits until no request is.
        String slow = """
                #!/bin/sh
                touch %1$s
                sleep 3
                printf 'Content-Type: text/plain\\r\\n\\r\\nslow answer from v1'
                rm -f %1$s
                """.formatted(inFlight);
        String waitForInFlight = "while [ -e " + inFlight + " ]; do sleep 0.1; done";
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(1, 0);
            await("joined", () -> fleet.agents.get(0).fold().members().size() == 1);
            int port = fleet.ports.get(0);
            fleet.deploy(fleet.release("v1", true, new FleetFixture.Policy(1, 0, "PT60S", "PT20S", waitForInFlight),
                    FleetFixture.BUILDER, Map.of("slow", slow)));
            await("v1 serves", () -> "v1".equals(get(port, "/version")));

            // Held in a variable to the end: an HttpClient nobody references may be collected with its connections.
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            CompletableFuture<HttpResponse<String>> request = client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cgi-bin/slow"))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            await("the slow request is in flight", () -> Files.exists(inFlight));
            fleet.deploy(fleet.release("v2", true, 1, "PT60S"));

            HttpResponse<String> answer = request.get(30, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode());
            assertEquals("slow answer from v1", answer.body());
            await("v2 serves", () -> "v2".equals(get(port, "/version")));
            CloudEventCodec codec = new CloudEventCodec();
            assertTrue(fleet.kafka.readToEnd(Topics.ROLLOUTS, record -> fleet.set.equals(record.key())).stream()
                    .anyMatch(record -> {
                        try {
                            return codec.decode(record).data() instanceof HostDrained drained && drained.clean();
                        } catch (Exception e) {
                            return false;
                        }
                    }), "the host reported a clean drain");
        }
    }
}
