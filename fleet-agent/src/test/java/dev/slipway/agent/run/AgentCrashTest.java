package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.rollout.Rollout;
import dev.slipway.cas.provenance.BuilderKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent process killed with SIGKILL in the middle of its switch, and started again. */
class AgentCrashTest {

    private final List<ProcessHandle> leftovers = new ArrayList<>();
    private final List<ProcessHandle> orphanedService = new ArrayList<>();

    @TempDir
    Path root;

    @Test
    void anAgentKilledMidSwitchIsCountedFailedAfterItsDeadlineAndComesBackConsistent() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(2, 0);
            int port = FleetFixture.freePort();
            Path crashRoot = root.resolve("host-2");
            String key = BuilderKeys.encode(FleetFixture.BUILDER.getPublic());
            Process crashing = AgentProcess.start("host-2", fleet.set, crashRoot, port, fleet.kafka.bootstrapServers(),
                    root.resolve("store"), key);
            try {
                await("three members", () -> fleet.agents.get(0).fold().members().size() == 3);
                // host-2 drains v1 slowly: it is still draining when it is killed.
                FleetFixture.Release v1 = fleet.release("v1", true,
                        new FleetFixture.Policy(1, 1, "PT6S", "PT30S", "[ \"$HOST\" = host-2 ] && sleep 60; true"),
                        FleetFixture.BUILDER);
                fleet.deploy(v1);
                await("v1 everywhere", () -> "v1".equals(get(port, "/version"))
                        && fleet.agents.get(0).fold().rollout().status() == Rollout.Status.COMPLETED);
                FleetFixture.Release v2 = fleet.release("v2", true,
                        new FleetFixture.Policy(1, 1, "PT6S", "PT30S", null), FleetFixture.BUILDER);

                fleet.deploy(v2);
                await("host-2 holds a slot", () -> fleet.agents.get(0).fold().rollout().artifact()
                        .equals(v2.artifact().toString()) && fleet.agents.get(0).fold().rollout().holds("host-2"));
                await("host-2 is draining", () -> crashing.descendants().anyMatch(p -> p.info().commandLine()
                        .orElse("").contains("sleep 60")));
                leftovers.addAll(crashing.descendants().toList());
                orphanedService.addAll(crashing.descendants()
                        .filter(p -> p.info().commandLine().orElse("").contains("httpd")).toList());
                assertEquals(1, orphanedService.size(), "the v1 service runs under the agent when it is killed");
                crashing.destroyForcibly().waitFor();

                await("the rollout completed without host-2", () -> {
                    Rollout r = fleet.agents.get(0).fold().rollout();
                    return r.status() == Rollout.Status.COMPLETED && r.failed().contains("host-2");
                });
                Rollout done = fleet.agents.get(0).fold().rollout();
                assertEquals(Set.of("host-0", "host-1"), done.healthy());
                assertEquals(Set.of(), done.switched().stream().filter("host-2"::equals)
                        .collect(java.util.stream.Collectors.toSet()), "host-2 never switched");
            } finally {
                crashing.destroyForcibly();
            }

            Process restarted = AgentProcess.start("host-2", fleet.set, crashRoot, port,
                    fleet.kafka.bootstrapServers(), root.resolve("store"), key);
            try {
                await("host-2 serves v1 again from a fresh service", () -> "v1".equals(get(port, "/version"))
                        && Files.exists(crashRoot.resolve("service.pid")) && restarted.descendants().findAny().isPresent());
                await("the service the killed agent left running was stopped",
                        () -> orphanedService.stream().noneMatch(ProcessHandle::isAlive));
                Path current = crashRoot.resolve("current").toRealPath();
                assertTrue(current.startsWith(crashRoot.resolve("store").toRealPath()), current.toString());
                assertEquals("v1", Files.readString(current.resolve("www/version")));
                assertTrue(Files.exists(current.resolve("slipway-manifest.json")), "current is a whole artifact");
                try (var store = Files.list(crashRoot.resolve("store"))) {
                    assertTrue(store.noneMatch(p -> p.getFileName().toString().startsWith(".incoming-")));
                }
            } finally {
                leftovers.addAll(restarted.descendants().toList());
                restarted.destroyForcibly().waitFor();
                leftovers.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

}
