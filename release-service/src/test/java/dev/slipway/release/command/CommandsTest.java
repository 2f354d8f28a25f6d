package dev.slipway.release.command;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactRevoked;
import dev.slipway.events.agent.Health;
import dev.slipway.events.command.PauseRequested;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RemoveHostRequested;
import dev.slipway.events.command.RevokeRequested;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.release.SetStory;
import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import dev.slipway.testsupport.postgres.PostgresTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.GLOBAL)
class CommandsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final KafkaBroker kafka = KafkaBroker.shared();
    private final CloudEventCodec codec = new CloudEventCodec();

    private static RequestSpecification operator() {
        return given().header("Authorization", "Bearer operator-secret").contentType(ContentType.JSON);
    }

    /** A set whose rollout is running, two hosts on it, both able to go back. */
    private SetStory running() {
        SetStory story = new SetStory("cmd").builtFlaggedAndStarted(2).hostSwitched(0, Health.HEALTHY);
        story.publish(kafka);
        await("the rollout to be projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().statusCode(200).body("rollouts[0].status", is("RUNNING")));
        return story;
    }

    private Event<?> command(String topic, String id) {
        ConsumerRecord<String, byte[]> record = kafka.awaitRecord(topic, r -> id.equals(header(r, "ce_id")), DEADLINE);
        try {
            return codec.decode(record);
        } catch (Exception e) {
            throw new AssertionError("the command on " + topic + " does not decode", e);
        }
    }

    private Event<?> relayed(String set, Class<?> type) {
        ConsumerRecord<String, byte[]> record = kafka.awaitRecord(Topics.ROLLOUTS, r -> {
            try {
                Event<?> event = codec.decode(r);
                return type.isInstance(event.data()) && set.equals(r.key()) && event.source().contains("relay");
            } catch (Exception e) {
                return false;
            }
        }, DEADLINE);
        try {
            return codec.decode(record);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return record.headers().lastHeader(name) == null ? null : new String(record.headers().lastHeader(name).value());
    }

    @Test
    void promoteByArtifactDigestPublishesTheRecipeForTheSetAndNamesTheOperator() {
        SetStory story = running();
        String id = operator().body(Map.of("digest", story.artifact, "channel", "production"))
                .post("/api/sets/" + story.set + "/promote")
                .then().statusCode(202).body("type", is(PromoteRequested.TYPE)).extract().path("id");

        Event<?> command = command(Topics.COMMANDS, id);
        assertEquals(new PromoteRequested(story.set, "production", story.recipe, "operator:alice"), command.data());
    }

    @Test
    void pauseAndResumeReachTheSetsLogAndTheRolloutShowsPausedThenRunning() {
        SetStory story = running();
        String id = operator().body(Map.of("reason", "incident 4411")).post("/api/sets/" + story.set + "/pause")
                .then().statusCode(202).extract().path("id");
        assertEquals(new PauseRequested(story.set, story.rolloutId(), "operator:alice", "incident 4411"),
                command(Topics.COMMANDS, id).data());
        assertEquals(new RolloutPaused(story.set, story.rolloutId(), "operator:alice", "incident 4411"),
                relayed(story.set, RolloutPaused.class).data());
        await("the rollout to show as paused").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].status", is("PAUSED")));

        operator().post("/api/sets/" + story.set + "/pause").then().statusCode(400)
                .body("message", containsString("JSON body is required"));
        operator().body(Map.of("reason", "again")).post("/api/sets/" + story.set + "/pause").then().statusCode(409)
                .body("message", containsString("no running rollout to pause"));

        operator().post("/api/sets/" + story.set + "/resume").then().statusCode(202);
        assertEquals(new RolloutResumed(story.set, story.rolloutId(), "operator:alice"),
                relayed(story.set, RolloutResumed.class).data());
        await("the rollout to run again").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].status", is("RUNNING")));
    }

    @Test
    void rollbackNamesTheLatestRolloutOnTheSetsLog() {
        SetStory story = running();
        operator().body(Map.of("reason", "errors up since 10:02")).post("/api/sets/" + story.set + "/rollback")
                .then().statusCode(202).body("type", is(RollbackRequested.TYPE));
        assertEquals(new RollbackRequested(story.set, story.rolloutId(), "operator:alice", "errors up since 10:02"),
                relayed(story.set, RollbackRequested.class).data());
    }

    @Test
    void revokePublishesTheRecipe() {
        SetStory story = running();
        String id = operator().body(Map.of("digest", story.recipe, "reason", "CVE-2026-1234"))
                .post("/api/sets/" + story.set + "/revoke").then().statusCode(202).extract().path("id");
        assertEquals(new RevokeRequested(story.set, story.recipe, "operator:alice", "CVE-2026-1234"),
                command(Topics.COMMANDS, id).data());
    }

    @Test
    void invalidCommandsGetA4xxThatSaysWhatToFix() {
        SetStory story = running();
        String set = "/api/sets/" + story.set;
        operator().body(Map.of("digest", story.artifact, "channel", "production")).post("/api/sets/nope/promote")
                .then().statusCode(404).body("message", containsString("unknown deployment set 'nope'"));
        operator().body(Map.of("digest", "sha256:xyz", "channel", "production")).post(set + "/promote")
                .then().statusCode(400).body("message", containsString("expected 64 lowercase hex digits"));
        operator().body(Map.of("digest", story.artifact, "channel", "prod uction")).post(set + "/promote")
                .then().statusCode(400).body("message", containsString("channel must be"));
        operator().body(Map.of("digest", SetStory.digestOf("never built"), "channel", "production"))
                .post(set + "/promote").then().statusCode(404).body("message", containsString("nothing was built"));
        operator().post(set + "/resume").then().statusCode(409).body("message", containsString("no paused rollout"));

        SetStory firstEver = new SetStory("first");
        firstEver.add(new HostJoined(firstEver.set, firstEver.host(0), true))
                .add(firstEver.state(0, firstEver.artifact, null, Health.HEALTHY))
                .add(new RolloutStarted(firstEver.set, firstEver.rolloutId(), "production",
                        firstEver.recipe, firstEver.artifact, SetStory.POLICY));
        firstEver.publish(kafka);
        await("the first rollout to be projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + firstEver.set).then().statusCode(200).body("rollouts.size()", is(1)));
        operator().body(Map.of("reason", "why not")).post("/api/sets/" + firstEver.set + "/rollback")
                .then().statusCode(409).body("message", containsString("no previous version"));
    }

    @Test
    void hostileTextAndNamesAreRefusedWithAJsonMessageBeforeAnythingIsPublished() {
        SetStory story = running();
        String set = "/api/sets/" + story.set;
        operator().body(Map.of("reason", "nul\u0000byte")).post(set + "/pause").then().statusCode(400)
                .body("status", is(400)).body("message", containsString("control character U+0000 at position 3"));
        operator().body(Map.of("reason", "x".repeat(10_000))).post(set + "/pause").then().statusCode(400)
                .body("message", containsString("10000 characters long; at most 4096"));
        operator().body(Map.of("reason", " ")).post(set + "/pause").then().statusCode(400)
                .body("message", containsString("reason is required"));
        operator().urlEncodingEnabled(false).get("/api/sets/%00").then().statusCode(400).body("message", containsString("'\\u0000'"));
        operator().urlEncodingEnabled(false).get("/api/audit?set=%00").then().statusCode(400).body("message", containsString("set must be"));
        operator().get("/api/audit?size=abc").then().statusCode(400)
                .body("message", containsString("size must be a whole number from 1 to"));
        operator().body("{\"reason\": ").post(set + "/pause").then().statusCode(400)
                .body("status", is(400)).body("message", containsString("cannot be read"));
        operator().delete(set + "/pause").then().statusCode(405).body("status", is(405));
        operator().contentType(ContentType.TEXT).body("reason").post(set + "/pause").then().statusCode(415)
                .body("message", containsString("application/json"));
        operator().get("/api/sets/" + story.set).then().statusCode(200)
                .body("rollouts[0].status", is("RUNNING"));
    }

    @Test
    void promotingARevokedRecipeIsRefusedWhereTheOperatorSeesIt() {
        SetStory story = running();
        story.add(new ArtifactRevoked(story.set, story.recipe, story.artifact, "CVE-2026-5", "operator:alice"));
        story.publish(kafka);
        await("the revocation to be projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().statusCode(200).body("deployables[0].revokedAt", notNullValue()));

        operator().body(Map.of("digest", story.artifact, "channel", "production"))
                .post("/api/sets/" + story.set + "/promote").then().statusCode(409)
                .body("message", containsString("was revoked by operator:alice (CVE-2026-5)"));
    }

    @Test
    void removingAHostPutsHostLeftOnTheSetsLogAndTheHostIsNoLongerAMember() {
        SetStory story = running();
        String path = "/api/sets/" + story.set + "/hosts/" + story.host(1) + "/remove";
        operator().body(Map.of("reason", "decommissioned")).post(path).then().statusCode(202)
                .body("type", is(RemoveHostRequested.TYPE));
        assertEquals(new HostLeft(story.set, story.host(1)), relayed(story.set, HostLeft.class).data());
        await("the host to leave the set").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then()
                .body("hosts.find { it.agentId == '" + story.host(1) + "' }.member", is(false)));
        operator().body(Map.of("reason", "again")).post(path).then().statusCode(409)
                .body("message", containsString("not a member"));
    }

    @Test
    void theApiIsDescribedByOpenApi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/sets/{set}/promote'.post.summary", containsString("deployable"))
                .body("paths.'/api/audit'.get.summary", containsString("audit"));
    }

    @Test
    void commandsNeedAnOperatorToken() {
        SetStory story = running();
        String pause = "/api/sets/" + story.set + "/pause";
        given().contentType(ContentType.JSON).body(Map.of("reason", "x")).post(pause).then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("message", containsString("missing bearer token"));
        given().header("Authorization", "Bearer guess").contentType(ContentType.JSON).body(Map.of("reason", "x"))
                .post(pause).then().statusCode(401).body("message", containsString("not recognised"));
        given().header("Authorization", "Bearer viewer-secret").contentType(ContentType.JSON)
                .body(Map.of("reason", "x")).post(pause).then().statusCode(403)
                .body("message", containsString("lacks the operator role"));
        given().get("/api/sets").then().statusCode(401);
        given().header("Authorization", "Bearer viewer-secret").get("/api/sets").then().statusCode(200);
    }
}
