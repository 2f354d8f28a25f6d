package dev.slipway.deploy.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.deploy.LocalInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `./slipway-local` as a user runs it: every service up as its own process, stopped cleanly, kept tokens. */
class LocalStackTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path data;

    @Test
    void startsEveryServiceReadyAndStopsThemAllKeepingItsTokens() throws Exception {
        LocalInfrastructure.Settings settings = new LocalInfrastructure.Settings(data, ServiceProcess.freePort(),
                ServiceProcess.freePort(), ServiceProcess.freePort());
        LocalStack.ServicePorts ports = new LocalStack.ServicePorts(ServiceProcess.freePort(), ServiceProcess.freePort(),
                List.of(ServiceProcess.freePort(), ServiceProcess.freePort()), List.of(ServiceProcess.freePort()), List.of(ServiceProcess.freePort()));
        List<Long> pids = new ArrayList<>();
        Map<String, String> tokens;
        try (LocalStack stack = LocalStack.start(REPOSITORY, settings, ports)) {
            assertEquals(List.of("cas-service", "build-service", "build-service-2", "release-service", "agent-0"),
                    stack.services().stream().map(ServiceProcess::name).toList());
            assertTrue(stack.services().stream().allMatch(ServiceProcess::ready));
            stack.services().forEach(service -> pids.add(service.pid()));
            pids.add(stack.infrastructure().kafka().pid());
            tokens = stack.tokens();
            HttpResponse<String> sets = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + ports.release() + "/api/sets"))
                    .header("Authorization", "Bearer " + tokens.get("operator")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, sets.statusCode(), "the release API answers the operator: " + sets.body());
        }
        assertTrue(pids.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)),
                "a process of the stack outlived it");

        try (LocalStack again = LocalStack.start(REPOSITORY, settings, ports)) {
            assertEquals(tokens, again.tokens(), "a second start is the same stack");
            assertFalse(again.services().isEmpty());
        }
    }
}
