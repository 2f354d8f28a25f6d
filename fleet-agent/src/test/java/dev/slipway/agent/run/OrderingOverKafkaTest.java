package dev.slipway.agent.run;

import static dev.slipway.agent.run.FleetFixture.await;
import static dev.slipway.agent.run.FleetFixture.runs;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.agent.rollout.Rollout;
import dev.slipway.events.Topics;
import dev.slipway.events.rollout.HostSwitched;
import dev.slipway.events.rollout.PrerequisiteMet;
import dev.slipway.events.rollout.RolloutCompleted;
import dev.slipway.events.wire.CloudEventCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two sets, one following the other, with their own agents over one real broker. */
class OrderingOverKafkaTest {

    private final CloudEventCodec codec = new CloudEventCodec();

    @TempDir
    Path root;

    @Test
    void aSetThatFollowsAnotherRollsOutTheSharedReleaseOnlyAfterTheOtherCompletedIt() throws Exception {
        try (FleetFixture schema = new FleetFixture(root.resolve("schema"));
                FleetFixture app = new FleetFixture(root.resolve("app"))) {
            schema.startAgents(1, 0);
            app.startAgents(2, 0);
            FleetFixture.Release schemaV1 = schema.release("schema-v1", true, 1, "PT60S");
            schema.deploy(schemaV1);
            FleetFixture.Release appV1 = app.release("app-v1", true, 1, "PT60S");
            app.deploy(appV1);
            await("both sets on v1", () -> schema.completed(schemaV1) && app.completed(appV1));

            app.releaseTag = "2026.12";
            app.after = List.of(schema.set);
            FleetFixture.Release appV2 = app.release("app-v2", true, 1, "PT60S");
            app.deploy(appV2);
            await("the app's rollout waits for the schema's", () -> app.agents.stream().allMatch(a -> {
                Rollout r = a.fold().rollout();
                return r.artifact().equals(appV2.artifact().toString()) && r.status() == Rollout.Status.PAUSED
                        && r.reason().contains("waiting for set " + schema.set + " to complete a rollout of release "
                                + "2026.12");
            }));
            assertTrue(app.agents.stream().allMatch(a -> runs(a, appV1.artifact())), "the app still runs v1");

            schema.releaseTag = "2026.12";
            FleetFixture.Release schemaV2 = schema.release("schema-v2", true, 1, "PT60S");
            schema.deploy(schemaV2);
            await("the schema, then the app, on the release", () -> schema.completed(schemaV2) && app.completed(appV2));

            String schemaRollout = schema.agents.get(0).fold().rollout().id();
            assertTrue(app.onTheLog(PrerequisiteMet.class).stream().anyMatch(met -> met.completedRolloutId()
                    .equals(schemaRollout)), "the app's log says which rollout of the schema it followed");
            long schemaDone = completedAt(schema, schemaRollout).orElseThrow();
            long appSwitched = firstSwitch(app, appV2).orElseThrow();
            assertTrue(schemaDone <= appSwitched, "the schema completed at " + schemaDone + ", the app's first host "
                    + "switched at " + appSwitched);
        }
    }

    private OptionalLong completedAt(FleetFixture fleet, String rolloutId) throws Exception {
        for (ConsumerRecord<String, byte[]> record : fleet.kafka.readToEnd(Topics.ROLLOUTS, r -> fleet.set.equals(r.key()))) {
            if (codec.decode(record).data() instanceof RolloutCompleted done && done.rolloutId().equals(rolloutId)) {
                return OptionalLong.of(record.timestamp());
            }
        }
        return OptionalLong.empty();
    }

    private OptionalLong firstSwitch(FleetFixture fleet, FleetFixture.Release release) throws Exception {
        for (ConsumerRecord<String, byte[]> record : fleet.kafka.readToEnd(Topics.ROLLOUTS, r -> fleet.set.equals(r.key()))) {
            if (codec.decode(record).data() instanceof HostSwitched switched
                    && switched.toArtifact().equals(release.artifact().toString())) {
                return OptionalLong.of(record.timestamp());
            }
        }
        return OptionalLong.empty();
    }
}
