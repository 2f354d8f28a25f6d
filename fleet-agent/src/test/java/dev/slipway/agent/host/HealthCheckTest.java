package dev.slipway.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.events.recipe.Recipe;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A health check is bounded by its own timeouts, whatever the service does. */
@Timeout(60)
class HealthCheckTest {

    private final HealthCheck check = new HealthCheck(Map.of());
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void anEndlessBodyIsNotWaitedFor() throws Exception {
        int port = serve(200);
        long started = System.nanoTime();

        Optional<String> sick = check.check(url(port, "PT1S", 0));

        assertEquals(Optional.empty(), sick);
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(3)) < 0);
        assertEquals(Optional.of("GET http://127.0.0.1:" + serve(503) + "/health answered 503"),
                check.check(url(server.getAddress().getPort(), "PT1S", 0)));
    }

    @Test
    void anAnswerThatNeverComesIsCutAtTheTimeout() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        long started = System.nanoTime();

        Optional<String> sick = check.check(url(server.getAddress().getPort(), "PT1S", 1));

        assertTrue(sick.isPresent());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0, "two tries of 1 s");
    }

    @Test
    void aCommandPastItsTimeoutIsKilledWithEveryProcessItStarted() throws Exception {
        String marker = Long.toString(600_000 + System.nanoTime() % 100_000);
        Recipe.HealthCheck spec = new Recipe.HealthCheck(null, List.of("/bin/sh", "-c",
                "sleep " + marker + " & (sleep " + marker + " &) ; sleep " + marker), Duration.ofSeconds(1), 0,
                Duration.ofSeconds(5));

        Optional<String> sick = check.check(spec);

        assertEquals(Optional.of("health command timed out after PT1S"), sick);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (leftovers(marker) > 0 && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertEquals(0, leftovers(marker), "no process of the command is left");
    }

    private static long leftovers(String marker) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains("sleep " + marker)).count();
    }

    private int serve(int status) throws IOException {
        if (server != null) {
            server.stop(0);
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(status, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                byte[] chunk = new byte[8192];
                while (true) {
                    body.write(chunk);
                }
            } catch (IOException clientWentAway) {
                exchange.close();
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        return server.getAddress().getPort();
    }

    private static Recipe.HealthCheck url(int port, String timeout, int retries) {
        return new Recipe.HealthCheck("http://127.0.0.1:" + port + "/health", List.of(), Duration.parse(timeout),
                retries, Duration.ofSeconds(10));
    }
}
