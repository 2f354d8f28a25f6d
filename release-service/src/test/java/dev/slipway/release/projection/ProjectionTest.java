package dev.slipway.release.projection;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.agent.AgentState;
import dev.slipway.events.agent.Health;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.rollout.HoldOverdue;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.HookRan;
import dev.slipway.events.rollout.HostClaimed;
import dev.slipway.events.rollout.PrerequisiteMet;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.release.CaughtUp;
import dev.slipway.release.ReadModelDump;
import dev.slipway.release.SetStory;
import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import dev.slipway.testsupport.postgres.PostgresServer;
import dev.slipway.testsupport.postgres.PostgresTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.GLOBAL)
class ProjectionTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final KafkaBroker kafka = KafkaBroker.shared();

    @Inject
    Projection projection;

    @Inject
    ProjectionConfig config;

    private static RequestSpecification viewer() {
        return given().header("Authorization", "Bearer viewer-secret");
    }

    @Test
    void aRolloutWithOneFailureAndARollbackIsProjectedOnceAndAReplayRebuildsTheSameRows() throws Throwable {
        SetStory story = new SetStory("shop").rolloutWithOneFailureAndARollback();
        story.publish(kafka);

        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);

        viewer().get("/api/sets/" + story.set).then()
                .body("hosts.agentId", contains(story.host(0), story.host(1), story.host(2), story.host(3),
                        story.host(4)))
                .body("hosts.find { it.agentId == '" + story.host(0) + "' }.canary", is(true))
                .body("hosts.findAll { it.agentId != '" + story.host(4) + "' }.current", everyItem(is(story.oldArtifact)))
                .body("hosts.findAll { it.agentId != '" + story.host(4) + "' }.previous", everyItem(is(story.artifact)))
                .body("rollouts[0].failures", is(1))
                .body("rollouts[0].reason", containsString("rollback requested by operator:alice"))
                .body("deployables.channel", contains("production"))
                .body("deployables[0].artifact", is(story.artifact))
                .body("rollouts[0].status", is("ABORTED"));
        viewer().get("/api/sets").then().statusCode(200)
                .body("find { it.name == '" + story.set + "' }.hosts", is(5))
                .body("find { it.name == '" + story.set + "' }.healthy", is(5))
                .body("find { it.name == '" + story.set + "' }.latestRollout.id", is(story.rolloutId()))
                .body("find { it.name == '" + story.set + "' }.latestRollout.status", is("ABORTED"));
        viewer().get("/api/rollouts/" + story.rolloutId()).then().statusCode(200)
                .body("hosts.step", containsInAnyOrder("HEALTHY", "HEALTHY", "HEALTHY", "FAILED"))
                .body("hosts.find { it.host == '" + story.host(3) + "' }.reason", containsString("503"));
        viewer().get("/api/artifacts/" + story.artifact).then().statusCode(200)
                .body("artifact.recipe", is(story.recipe))
                .body("artifact.provenance", is(story.provenance))
                .body("artifact.hermetic", is(true))
                .body("build.state", is("SUCCEEDED"))
                .body("build.requestedBy", is("ci:pipeline-7"));
        viewer().get("/api/audit?size=500&set=" + story.set).then()
                .body("total", is(story.events().size() - 2)) // the build request and start name no set
                .body("items.summary", hasItem(containsString("failed in " + story.rolloutId())));
        viewer().get("/api/audit?digest=" + story.recipe).then()
                .body("items.type", hasItem("dev.slipway.build.requested.v1"));

        List<String> projected = ReadModelDump.rows();

        SetStory.publish(kafka, story.events());
        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);
        ReadModelDump.assertSame(projected, "the same events delivered again must change nothing");

        ReadModelDump.truncate();
        for (String topic : ConfigProvider.getConfig()
                .getValue("mp.messaging.incoming." + Projection.CHANNEL + ".topics", String[].class)) {
            for (ConsumerRecord<String, byte[]> record : kafka.readToEnd(topic, any -> true)) {
                VertxContextSupport.subscribeAndAwait(() -> projection.apply(record));
            }
        }
        ReadModelDump.assertSame(projected, "a replay into an empty database must rebuild the same rows");
    }

    @Test
    void aRolloutThatFollowsOtherSetsSaysWhichItStillWaitsFor() throws Exception {
        String recipe = SetStory.digestOf("auth recipe");
        SetStory story = new SetStory("follows").builtFlaggedAndStarted(1, new RolloutPolicy(1, 0, Duration.ofMinutes(5),
                Duration.ofSeconds(30), null, null, null, false, "2026.12", List.of("db-schema", "auth@" + recipe)));
        story.publish(kafka);
        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);
        viewer().get("/api/sets/" + story.set).then().body("rollouts[0].waitingForSets",
                contains("db-schema (release 2026.12)", "auth (recipe " + recipe + ")"));

        story.add(new PrerequisiteMet(story.set, story.rolloutId(), "db-schema", "db-r7", SetStory.digestOf("db"),
                story.host(0))).add(new PrerequisiteMet(story.set, story.rolloutId(), "db-schema", "db-r7",
                SetStory.digestOf("db"), story.host(0))).publish(kafka);
        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);

        viewer().get("/api/sets/" + story.set).then().body("rollouts[0].waitingForSets",
                contains("auth (recipe " + recipe + ")"));
        viewer().get("/api/audit?set=" + story.set).then().body("items.summary",
                hasItem(containsString("may follow db-schema: its rollout db-r7")));
    }

    @Test
    void aStrayPauseOfASetNobodyKnowsIsAuditedButListsNoSet() throws Exception {
        SetStory stray = new SetStory("stray");
        stray.add(new RolloutPaused(stray.set, stray.rolloutId(), "someone", "a record from nowhere"));
        stray.publish(kafka);
        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);

        viewer().get("/api/audit?set=" + stray.set).then().statusCode(200).body("total", is(1));
        viewer().get("/api/sets").then().statusCode(200).body("name", not(hasItem(stray.set)));
        viewer().get("/api/sets/" + stray.set).then().statusCode(404);

        SetStory known = new SetStory("known").builtFlaggedAndStarted(1);
        known.publish(kafka);
        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);
        viewer().get("/api/sets").then().statusCode(200).body("name", hasItem(known.set));
    }

    @Test
    void anAgentsHeartbeatMovesItsLastSeenTimeWithoutAnAuditEntry() throws Exception {
        SetStory story = new SetStory("beat");
        AgentState first = story.state(0, story.artifact, null, Health.HEALTHY);
        story.add(first);
        story.publish(kafka);
        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);
        Instant later = first.lastSeen().plusSeconds(30);

        story.add(new AgentState(first.agentId(), first.deploymentSet(), first.channel(), first.current(),
                first.previous(), first.health(), later, null));
        story.publish(kafka);
        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);

        viewer().get("/api/sets/" + story.set).then().statusCode(200).body("hosts[0].lastSeen", is(later.toString()));
        viewer().get("/api/audit?set=" + story.set).then().body("total", is(1));
        story.add(new AgentState(first.agentId(), first.deploymentSet(), first.channel(), first.current(),
                first.previous(), Health.UNHEALTHY, later.plusSeconds(30), "health check failed"));
        story.publish(kafka);
        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);
        viewer().get("/api/audit?set=" + story.set).then().body("total", is(2));
    }

    @Test
    void aPoisonRecordIsDeadLetteredAndTheNextRecordIsStillProjected() throws Exception {
        String recipe = SetStory.digestOf("poison-" + UUID.randomUUID());
        ProducerRecord<String, byte[]> valid = new CloudEventCodec().encode(
                Event.of("/test", new BuildRequested(recipe, "ci:first")));
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.BUILDS, null, recipe, "{not json".getBytes(StandardCharsets.UTF_8),
                    valid.headers())).get();
        }
        SetStory.publish(kafka, List.of(Event.of("/test", new BuildRequested(recipe, "ci:next"))));

        await("the next build request to be projected").atMost(DEADLINE).untilAsserted(() -> viewer()
                .get("/api/audit?digest=" + recipe).then().statusCode(200).body("total", is(1)));
        ConsumerRecord<String, byte[]> dead = kafka.awaitRecord(Topics.deadLetter(Topics.BUILDS),
                record -> recipe.equals(record.key()), DEADLINE);
        assertEquals("malformed-body", header(dead, DeadLetters.HEADER_REASON));
        viewer().get("/api/audit?digest=" + recipe).then().body("items[0].summary", is("ci:next requested a build of "
                + recipe));
    }

    /**
     * PostgreSQL fails the first two attempts to record this build request with a serialization failure, as a
     * busy database does: the event is projected once the database takes it, and nothing is dead-lettered. (A
     * sequence counts the attempts: it is not rolled back with the failed transaction.)
     */
    @Test
    void aValidEventThatMeetsATransientDatabaseFailureIsProjectedAfterwardsAndNeverDeadLettered() throws Exception {
        String recipe = SetStory.digestOf("transient-" + UUID.randomUUID());
        try {
            kafka.createTopics(Map.of(Topics.deadLetter(Topics.BUILDS), 1));
        } catch (IllegalStateException alreadyCreated) {
            // by the consumer that dead-lettered before
        }
        try (Connection sql = PostgresServer.shared().dataSource().getConnection();
                Statement statement = sql.createStatement()) {
            statement.execute("CREATE SEQUENCE transient_attempts");
            statement.execute("""
                    CREATE FUNCTION fail_twice() RETURNS trigger AS $$
                    BEGIN
                      IF position('%s' in NEW::text) > 0 AND nextval('transient_attempts') <= 2 THEN
                        RAISE EXCEPTION 'injected: could not serialize access' USING ERRCODE = 'serialization_failure';
                      END IF;
                      RETURN NEW;
                    END $$ LANGUAGE plpgsql""".formatted(recipe.substring("sha256:".length())));
            statement.execute("CREATE TRIGGER fail_twice BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_twice()");
            try {
                SetStory.publish(kafka, List.of(Event.of("/test", new BuildRequested(recipe, "ci:busy-database"))));

                await("the build request to be projected").atMost(DEADLINE).untilAsserted(() -> viewer()
                        .get("/api/audit?digest=" + recipe).then().statusCode(200).body("total", is(1)));
                try (var attempts = statement.executeQuery("SELECT last_value FROM transient_attempts")) {
                    attempts.next();
                    assertEquals(3, attempts.getLong(1), "two failed attempts, then the one that passed");
                }
                assertEquals(List.of(), kafka.readToEnd(Topics.deadLetter(Topics.BUILDS),
                        record -> recipe.equals(record.key())), "nothing dead-lettered");
            } finally {
                statement.execute("DROP TRIGGER fail_twice ON audit_log");
                statement.execute("DROP FUNCTION fail_twice()");
                statement.execute("DROP SEQUENCE transient_attempts");
            }
        }
    }

    /**
     * The database stops taking connections in the middle of a stream, as when its server restarts: every open
     * connection is cut and new ones are refused. Events published meanwhile wait on the broker while the
     * projection retries; once the database is back, every one of them is in the read model, and none was
     * dead-lettered.
     */
    @Test
    void aDatabaseOutageInTheMiddleOfAStreamLosesNothingAndDeadLettersNothing() throws Exception {
        String run = UUID.randomUUID().toString();
        List<String> recipes = IntStream.range(0, 30).mapToObj(i -> SetStory.digestOf("outage-" + run + "-" + i))
                .toList();
        try {
            kafka.createTopics(Map.of(Topics.deadLetter(Topics.BUILDS), 1));
        } catch (IllegalStateException alreadyCreated) {
            // by the consumer that dead-lettered before
        }
        SetStory.publish(kafka, requests(recipes.subList(0, 10)));
        await("the stream's first events to be projected").atMost(DEADLINE)
                .untilAsserted(() -> recipes.subList(0, 10).forEach(ProjectionTest::assertProjectedOnce));
        double retried = metric("slipway_projection_retries_total");

        // From another database: PostgreSQL lets no session refuse connections to its own.
        try (Connection sql = PostgresServer.shared().dataSource("template1").getConnection();
                Statement statement = sql.createStatement()) {
            statement.execute("ALTER DATABASE " + PostgresServer.DATABASE + " ALLOW_CONNECTIONS false");
            try {
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                        + PostgresServer.DATABASE + "'");
                SetStory.publish(kafka, requests(recipes.subList(10, 30)));
                await("the projection to meet the outage and try again").atMost(DEADLINE)
                        .until(() -> metric("slipway_projection_retries_total") >= retried + 3);
            } finally {
                statement.execute("ALTER DATABASE " + PostgresServer.DATABASE + " ALLOW_CONNECTIONS true");
            }
        }

        await("every event of the stream to be projected").atMost(DEADLINE)
                .untilAsserted(() -> recipes.forEach(ProjectionTest::assertProjectedOnce));
        assertEquals(List.of(), kafka.readToEnd(Topics.deadLetter(Topics.BUILDS),
                record -> recipes.contains(record.key())), "nothing dead-lettered");
    }

    private static List<Event<?>> requests(List<String> recipes) {
        return recipes.stream().<Event<?>>map(recipe -> Event.of("/test", new BuildRequested(recipe, "ci:outage")))
                .toList();
    }

    private static void assertProjectedOnce(String recipe) {
        viewer().get("/api/audit?digest=" + recipe).then().statusCode(200).body("total", is(1));
    }

    @Test
    void aPauseHoldsTheSetSoARolloutThatStartsBeforeTheResumeIsPausedFromItsStart() {
        SetStory story = new SetStory("hold").builtFlaggedAndStarted(2);
        story.add(new RolloutPaused(story.set, story.rolloutId(), "operator:alice", "freeze"))
                .add(new RolloutStarted(story.set, story.set + "-r2", "production", story.recipe, story.artifact,
                        SetStory.POLICY));
        story.publish(kafka);

        await("the second rollout to be projected").atMost(DEADLINE).untilAsserted(() -> viewer()
                .get("/api/sets/" + story.set).then().statusCode(200).body("rollouts.size()", is(2)));
        viewer().get("/api/sets/" + story.set).then().body("paused.by", is("operator:alice"))
                .body("rollouts.find { it.id == '" + story.set + "-r2' }.status", is("PAUSED"))
                .body("rollouts.find { it.id == '" + story.set + "-r2' }.reason", is("paused by operator:alice: freeze"))
                .body("rollouts.find { it.id == '" + story.rolloutId() + "' }.status", is("SUPERSEDED"));

        story.add(new RolloutResumed(story.set, story.rolloutId(), "operator:alice")).publish(kafka);
        await("the resume to release the set").atMost(DEADLINE).untilAsserted(() -> viewer()
                .get("/api/sets/" + story.set).then().body("paused", nullValue())
                .body("rollouts.find { it.id == '" + story.set + "-r2' }.status", is("RUNNING")));
    }

    @Test
    void aNamedHoldPausesTheRolloutAndEndsAtTheFirstRecordOfTheSetPastItsDeadlineAsTheFoldHasIt() {
        SetStory story = new SetStory("named-hold").builtFlaggedAndStarted(2);
        story.add(new HoldPlaced(story.set, "lb", Duration.ofSeconds(3), HoldPlaced.RELEASE, "operator:lb", "draining"));
        story.publish(kafka);
        await("the hold to be projected").atMost(DEADLINE).untilAsserted(() -> viewer()
                .get("/api/sets/" + story.set).then().statusCode(200).body("holds[0].name", is("lb"))
                .body("holds[0].onExpiry", is("release"))
                .body("rollouts[0].status", is("PAUSED"))
                .body("rollouts[0].reason", containsString("held by lb (operator:lb: draining")));

        // Each record of the story is a second after the one before: the third is at the hold's deadline.
        for (int i = 0; i < 3; i++) {
            story.add(new HoldOverdue(story.set, "lb", story.host(0)));
        }
        story.publish(kafka);
        await("the hold to end at its deadline").atMost(DEADLINE).untilAsserted(() -> viewer()
                .get("/api/sets/" + story.set).then().body("holds.size()", is(0))
                .body("rollouts[0].status", is("RUNNING")).body("rollouts[0].reason", nullValue()));
    }

    @Test
    void whatEachSwitchHookDidIsInTheHostsStepAndTheAuditTrail() {
        SetStory story = new SetStory("hooks").builtFlaggedAndStarted(1);
        story.add(new HostClaimed(story.set, story.rolloutId(), story.host(0)))
                .add(new HookRan(story.set, story.rolloutId(), story.host(0), HookRan.BEFORE_DRAIN, 0, "lb: out\n", 12))
                .add(new HookRan(story.set, story.rolloutId(), story.host(0), HookRan.AFTER_HEALTHY, 3, "lb refused\n",
                        40));
        story.publish(kafka);

        await("the hooks to be projected").atMost(DEADLINE).untilAsserted(() -> viewer()
                .get("/api/rollouts/" + story.rolloutId()).then().statusCode(200)
                .body("hosts[0].hooks", is("before-drain exited 0 in 12 ms: lb: out\n"
                        + "after-healthy exited 3 in 40 ms: lb refused")));
        viewer().get("/api/audit?set=" + story.set).then()
                .body("items.summary", hasItem(story.host(0) + " ran its after-healthy hook in " + story.rolloutId()
                        + ": exit 3 in 40 ms"));
    }

    @Test
    void rolloutsStartedAndAbortedAndTheLagAreExportedForPrometheus() {
        double started = metric("slipway_rollouts_started_total");
        double aborted = metric("slipway_rollouts_aborted_total");
        SetStory story = new SetStory("metrics").rolloutWithOneFailureAndARollback();
        story.publish(kafka);

        await("the rollout to be counted").atMost(DEADLINE)
                .until(() -> metric("slipway_rollouts_aborted_total") == aborted + 1);
        assertEquals(started + 1, metric("slipway_rollouts_started_total"));
        SetStory.publish(kafka, story.events());
        CaughtUp.await(kafka, config.consumerGroup(), DEADLINE);
        assertEquals(started + 1, metric("slipway_rollouts_started_total"), "a duplicate is not counted again");
        await("the lag to be measured at 0").atMost(DEADLINE).until(() -> metric("slipway_projection_lag_records") == 0.0);
    }

    private static double metric(String name) {
        String exposition = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return exposition.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElse(0);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return record.headers().lastHeader(name) == null ? ""
                : new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
