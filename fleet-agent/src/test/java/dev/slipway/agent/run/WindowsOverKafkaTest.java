package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.runs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.rollout.Rollout;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.WindowOpened;
import dev.slipway.events.rollout.WindowOverridden;
import dev.slipway.events.wire.CloudEventCodec;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollouts held outside their deployment windows, judged by agents over a real broker with real services. */
class WindowsOverKafkaTest {

    private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private final CloudEventCodec codec = new CloudEventCodec();

    @TempDir
    Path root;

    @Test
    void aReleaseOutsideItsWindowWaitsForItToOpenAndAnOverrideLetsTheNextGoOnAtOnce() throws Exception {
        try (FleetFixture fleet = new FleetFixture(root)) {
            fleet.startAgents(2, 0);
            FleetFixture.Release v1 = fleet.release("v1", true, 1, "PT60S");
            fleet.deploy(v1);
            await("v1 everywhere", () -> fleet.completed(v1));

            // A window that opens in 10 s (a second's precision) and stays open for an hour.
            Instant opens = Instant.now().plusSeconds(10).truncatedTo(ChronoUnit.SECONDS);
            fleet.windows = List.of("* " + HH_MM_SS.format(opens) + "-" + HH_MM_SS.format(opens.plusSeconds(3600))
                    + " UTC");
            FleetFixture.Release v2 = fleet.release("v2", true, 1, "PT60S");
            fleet.deploy(v2);
            await("the rollout of v2 waits for its window", () -> fleet.agents.stream().allMatch(a -> {
                Rollout r = a.fold().rollout();
                return r.artifact().equals(v2.artifact().toString()) && r.status() == Rollout.Status.PAUSED
                        && r.reason().contains("opens at " + opens);
            }));
            assertTrue(Instant.now().isBefore(opens), "the test saw the wait before the window opened");
            await("v2 everywhere once the window opened", () -> fleet.completed(v2));
            for (ConsumerRecord<String, byte[]> record : fleet.kafka.readToEnd(Topics.ROLLOUTS,
                    r -> fleet.set.equals(r.key()))) {
                if (codec.decode(record).data() instanceof HostSwitched switched
                        && switched.toArtifact().equals(v2.artifact().toString())) {
                    assertFalse(Instant.ofEpochMilli(record.timestamp()).isBefore(opens),
                            switched.hostId() + " switched at " + Instant.ofEpochMilli(record.timestamp())
                                    + ", before its window opened at " + opens);
                }
            }
            assertTrue(fleet.onTheLog(WindowOpened.class).stream().anyMatch(opened -> opened.rolloutId()
                    .equals(fleet.agents.get(0).fold().rollout().id())), "a member brought a record at the opening");

            // A window three days from today is closed now, whenever the test runs.
            String day = LocalDate.now(ZoneOffset.UTC).plusDays(3).getDayOfWeek()
                    .getDisplayName(TextStyle.SHORT, Locale.ROOT);
            fleet.windows = List.of(day + " 03:00-04:00 UTC");
            FleetFixture.Release v3 = fleet.release("v3", true, 1, "PT60S");
            fleet.deploy(v3);
            await("the rollout of v3 waits for its window", () -> fleet.agents.stream().allMatch(a -> {
                Rollout r = a.fold().rollout();
                return r.artifact().equals(v3.artifact().toString()) && r.status() == Rollout.Status.PAUSED
                        && r.reason().contains("outside its deployment windows [" + day + " 03:00-04:00 UTC]");
            }));
            assertTrue(fleet.agents.stream().allMatch(a -> runs(a, v2.artifact())), "every host still runs v2");
            String rollout = fleet.agents.get(0).fold().rollout().id();

            fleet.send(Event.of("/release-service/relay", new WindowOverridden(fleet.set, rollout, "operator:bob",
                    "hotfix for incident 4411")));
            await("v3 everywhere once overridden", () -> fleet.completed(v3));
            assertEquals("operator:bob", fleet.agents.get(1).fold().rollout().windowOverriddenBy());
        }
    }
}
