package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.get;
import static dev.slipway.agent.run.FleetFixture.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.host.SwitchHooks;
import dev.slipway.agent.rollout.Rollout;
import dev.slipway.events.rollout.HookRan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's commands around each switch, run by agents over a real broker with real service processes. */
class SwitchHooksOverKafkaTest {

    @TempDir
    Path root;

    @Test
    void hooksRunAroundEachSwitchInOrderWithTheirOutputOnTheLogAndAFailingOneFailsTheHostWhichGoesBack()
            throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            FleetFixture.Release v1 = fleet.release("v1", true, 1, "PT60S");
            FleetFixture.Release v2 = fleet.release("v2", true, 1, "PT60S");
            Path calls = root.resolve("calls");
            // The load balancer refuses to take host-0 back on v2.
            String script = "echo \"$SLIPWAY_HOOK $SLIPWAY_HOST $SLIPWAY_TO\" >> " + calls + "; "
                    + "if [ \"$SLIPWAY_HOOK\" = after-healthy ] && [ \"$SLIPWAY_HOST\" = host-0 ] "
                    + "&& [ \"$SLIPWAY_TO\" = " + v2.artifact() + " ]; then echo 'lb refused host-0'; exit 3; fi; "
                    + "echo \"lb: $SLIPWAY_HOOK done for $SLIPWAY_HOST\"";
            List<String> hook = List.of("/bin/sh", "-c", script);
            fleet.switchHooks = new SwitchHooks.Commands(hook, hook, Duration.ofSeconds(20));
            fleet.startAgents(3, 1);

            fleet.deploy(v1);
            await("v1 everywhere", () -> fleet.agents.stream().allMatch(a -> a.fold().rollout() != null
                    && a.fold().rollout().status() == Rollout.Status.COMPLETED && runs(a, v1.artifact())));
            List<String> lines = Files.readAllLines(calls);
            for (int i = 0; i < 3; i++) {
                int before = lines.indexOf("before-drain host-" + i + " " + v1.artifact());
                int after = lines.indexOf("after-healthy host-" + i + " " + v1.artifact());
                assertTrue(before >= 0 && after > before, "host-" + i + ": before-drain, then after-healthy: " + lines);
            }
            List<HookRan> ran = fleet.onTheLog(HookRan.class);
            assertEquals(6, ran.size(), ran.toString());
            assertTrue(ran.stream().allMatch(r -> r.exitCode() == 0
                    && r.output().equals("lb: " + r.hook() + " done for " + r.hostId() + "\n")), ran.toString());

            fleet.deploy(v2);
            await("the rollout of v2 aborted by the canary's failed hook", () -> fleet.agents.stream().allMatch(a -> {
                Rollout r = a.fold().rollout();
                return r.artifact().equals(v2.artifact().toString()) && r.status() == Rollout.Status.ABORTED
                        && r.announced();
            }));
            Rollout aborted = fleet.agents.get(0).fold().rollout();
            assertTrue(aborted.reason().contains("host-0: after-healthy hook exited 3: lb refused host-0"),
                    aborted.reason());
            await("every host on v1, the canary back on it", () -> fleet.agents.stream()
                    .allMatch(a -> runs(a, v1.artifact())) && "v1".equals(get(fleet.ports.get(0), "/version")));
            List<String> canary = Files.readAllLines(calls).stream().filter(line -> line.contains(" host-0 "))
                    .skip(2).toList();
            assertEquals(List.of("before-drain host-0 " + v2.artifact(), "after-healthy host-0 " + v2.artifact(),
                    "before-drain host-0 " + v1.artifact(), "after-healthy host-0 " + v1.artifact()), canary,
                    "the canary deregistered, failed to register on v2, and went back through both hooks again");
            assertEquals(List.of(), Files.readAllLines(calls).stream()
                    .filter(line -> line.endsWith(v2.artifact().toString()) && !line.contains(" host-0 ")).toList(),
                    "no other host took v2");
        }
    }
}
