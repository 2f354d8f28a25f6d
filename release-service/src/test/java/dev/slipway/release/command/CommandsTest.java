package dev.slipway.release.command;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ArtifactRevoked;
import dev.slipway.events.agent.Health;
import dev.slipway.events.command.CommandEffects;
import dev.slipway.events.command.ApprovalRequested;
import dev.slipway.events.command.WindowOverrideRequested;
import dev.slipway.events.command.HoldReleaseRequested;
import dev.slipway.events.command.HoldRequested;
import dev.slipway.events.command.PauseRequested;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RemoveHostRequested;
import dev.slipway.events.command.RevokeRequested;
import dev.slipway.events.rollout.HostJoined;
import dev.slipway.events.rollout.HostLeft;
import dev.slipway.events.rollout.RollbackRequested;
import dev.slipway.events.rollout.GateApproved;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.rollout.WindowOverridden;
import dev.slipway.events.rollout.GateReached;
import dev.slipway.events.rollout.HoldPlaced;
import dev.slipway.events.rollout.HoldReleased;
import dev.slipway.events.rollout.RolloutPaused;
import dev.slipway.events.rollout.RolloutResumed;
import dev.slipway.events.rollout.RolloutStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.DeadLetters;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
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

    /** A service's token that may place and release holds, and nothing else. */
    private static RequestSpecification holder() {
        return given().header("Authorization", "Bearer holder-secret").contentType(ContentType.JSON);
    }

    /** A set whose rollout is running, two hosts on it, both able to go back. */
    /** A policy whose rollouts wait at a gate after the canaries, for up to 30 minutes. */
    private static final RolloutPolicy GATED = new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(30),
            null, Duration.ofMinutes(30));

    private SetStory running() {
        return running(SetStory.POLICY);
    }

    private SetStory running(RolloutPolicy policy) {
        SetStory story = new SetStory("cmd").builtFlaggedAndStarted(2, policy).hostSwitched(0, Health.HEALTHY);
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
    void pauseHoldsTheSetAndResumeReleasesItEachCarriedOutAsTheOperatorSees() {
        SetStory story = running();
        String id = operator().body(Map.of("reason", "incident 4411")).post("/api/sets/" + story.set + "/pause")
                .then().statusCode(202).header("Location", containsString("/api/commands/"))
                .extract().path("id");
        assertEquals(new PauseRequested(story.set, story.rolloutId(), "operator:alice", "incident 4411"),
                command(Topics.COMMANDS, id).data());
        assertEquals(new RolloutPaused(story.set, story.rolloutId(), "operator:alice", "incident 4411"),
                relayed(story.set, RolloutPaused.class).data());
        await("the set to show as paused").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].status", is("PAUSED"))
                .body("paused.by", is("operator:alice")).body("paused.reason", is("incident 4411")));
        await("the pause to be carried out").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/commands/" + id).then().statusCode(200).body("status", is("APPLIED"))
                .body("by", is("/release-service/relay")));

        operator().post("/api/sets/" + story.set + "/pause").then().statusCode(400)
                .body("message", containsString("JSON body is required"));
        operator().body(Map.of("reason", "again")).post("/api/sets/" + story.set + "/pause").then().statusCode(409)
                .body("message", containsString("already paused by operator:alice"));

        String resume = operator().post("/api/sets/" + story.set + "/resume").then().statusCode(202)
                .extract().path("id");
        assertEquals(new RolloutResumed(story.set, story.rolloutId(), "operator:alice"),
                relayed(story.set, RolloutResumed.class).data());
        await("the rollout to run again").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].status", is("RUNNING"))
                .body("paused", nullValue()));
        operator().get("/api/commands/" + resume).then().body("status", is("APPLIED"));
        operator().post("/api/sets/" + story.set + "/resume").then().statusCode(409)
                .body("message", containsString("is not paused"));
    }

    @Test
    void aServiceWithAHolderTokenHoldsTheSetAndReleasesItButCanDoNothingElse() {
        SetStory story = running();
        String holds = "/api/sets/" + story.set + "/holds";
        String id = holder().body(Map.of("name", "db-migration", "until", "PT30M", "onExpiry", "fail",
                        "reason", "schema 42")).post(holds)
                .then().statusCode(202).body("type", is(HoldRequested.TYPE)).extract().path("id");
        assertEquals(new HoldRequested(story.set, "db-migration", Duration.ofMinutes(30), HoldPlaced.FAIL,
                "operator:migrator", "schema 42"), command(Topics.COMMANDS, id).data());
        assertEquals(new HoldPlaced(story.set, "db-migration", Duration.ofMinutes(30), HoldPlaced.FAIL,
                "operator:migrator", "schema 42"), relayed(story.set, HoldPlaced.class).data());
        await("the rollout to show as held").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].status", is("PAUSED"))
                .body("rollouts[0].reason", containsString("held by db-migration (operator:migrator: schema 42"))
                .body("holds[0].name", is("db-migration")).body("holds[0].onExpiry", is("fail")));
        await("the hold to be carried out").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/commands/" + id).then().statusCode(200).body("status", is("APPLIED")));

        holder().body(Map.of("reason", "x")).post("/api/sets/" + story.set + "/pause").then().statusCode(403)
                .body("message", containsString("lacks the operator role"));
        holder().delete(holds + "/lb").then().statusCode(409)
                .body("message", containsString("no hold named 'lb' in place; its holds: db-migration"));

        String release = holder().delete(holds + "/db-migration").then().statusCode(202)
                .body("type", is(HoldReleaseRequested.TYPE)).extract().path("id");
        assertEquals(new HoldReleased(story.set, "db-migration", "operator:migrator"),
                relayed(story.set, HoldReleased.class).data());
        await("the rollout to run again").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].status", is("RUNNING"))
                .body("holds", hasSize(0)));
        operator().get("/api/commands/" + release).then().body("status", is("APPLIED"));
    }

    @Test
    void anApprovalOfARolloutAtItsGateIsRelayedAndRecordedOnceAndRefusedWhereNoGateHoldsTheRollout() {
        SetStory ungated = running();
        operator().body(Map.of("reason", "canary looks good")).post("/api/sets/" + ungated.set + "/approve").then()
                .statusCode(409).body("message", containsString("has no approval gate"));

        SetStory story = running(GATED);
        story.add(new GateReached(story.set, story.rolloutId(), story.host(0))).publish(kafka);
        await("the gate to be projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].gateSince", notNullValue())
                .body("rollouts[0].approvedBy", nullValue()));

        String id = operator().body(Map.of("reason", "canary looks good")).post("/api/sets/" + story.set + "/approve")
                .then().statusCode(202).body("type", is(ApprovalRequested.TYPE)).extract().path("id");
        assertEquals(new ApprovalRequested(story.set, story.rolloutId(), "operator:alice", "canary looks good"),
                command(Topics.COMMANDS, id).data());
        assertEquals(new GateApproved(story.set, story.rolloutId(), "operator:alice", "canary looks good"),
                relayed(story.set, GateApproved.class).data());
        await("the approval to be projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].approvedBy", is("operator:alice")));
        operator().get("/api/commands/" + id).then().body("status", is("APPLIED"));

        operator().body(Map.of("reason", "again")).post("/api/sets/" + story.set + "/approve").then().statusCode(409)
                .body("message", containsString("already approved by operator:alice"));
        holder().body(Map.of("reason", "x")).post("/api/sets/" + story.set + "/approve").then().statusCode(403);
    }

    @Test
    void theNextBatchsGateNeedsItsOwnApprovalWhichNamesTheBatch() {
        SetStory story = running(new RolloutPolicy(1, 0, Duration.ofMinutes(5), Duration.ofSeconds(30), null,
                Duration.ofMinutes(30), null, true));
        story.add(new GateReached(story.set, story.rolloutId(), story.host(0), 0))
                .add(new GateApproved(story.set, story.rolloutId(), "operator:alice", "canary looks good", 0))
                .add(new GateReached(story.set, story.rolloutId(), story.host(0), 1)).publish(kafka);
        await("the second batch's gate to be projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].gateBatch", is(1))
                .body("rollouts[0].approvedBy", nullValue()));

        String id = operator().body(Map.of("reason", "batch 1 looks good")).post("/api/sets/" + story.set + "/approve")
                .then().statusCode(202).extract().path("id");

        assertEquals(new ApprovalRequested(story.set, story.rolloutId(), "operator:alice", "batch 1 looks good", 1),
                command(Topics.COMMANDS, id).data());
        await("the approval to be relayed and projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].approvedBy", is("operator:alice")));
        operator().get("/api/commands/" + id).then().body("status", is("APPLIED"));
    }

    @Test
    void aWindowOverrideIsRelayedAndRecordedOnceAndRefusedWhereNoWindowHoldsTheRollout() {
        SetStory plain = running();
        operator().body(Map.of("reason", "hotfix")).post("/api/sets/" + plain.set + "/override-window").then()
                .statusCode(409).body("message", containsString("has no deployment windows"));

        // A window three days from today is closed now, whenever the test runs.
        String day = LocalDate.now(ZoneOffset.UTC).plusDays(3).getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT);
        String window = day + " 03:00-04:00 UTC";
        SetStory story = new SetStory("win").builtFlaggedAndStarted(2, new RolloutPolicy(1, 0, Duration.ofMinutes(5),
                Duration.ofSeconds(30), null, null, List.of(window)));
        story.publish(kafka);
        await("the windowed rollout to be projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].windows", is(List.of(window)))
                .body("rollouts[0].windowOpensAt", notNullValue()));

        String id = operator().body(Map.of("reason", "hotfix for incident 4411"))
                .post("/api/sets/" + story.set + "/override-window").then().statusCode(202)
                .body("type", is(WindowOverrideRequested.TYPE)).extract().path("id");
        assertEquals(new WindowOverrideRequested(story.set, story.rolloutId(), "operator:alice", "hotfix for incident 4411"),
                command(Topics.COMMANDS, id).data());
        assertEquals(new WindowOverridden(story.set, story.rolloutId(), "operator:alice", "hotfix for incident 4411"),
                relayed(story.set, WindowOverridden.class).data());
        await("the override to be projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/sets/" + story.set).then().body("rollouts[0].windowOverriddenBy", is("operator:alice"))
                .body("rollouts[0].windowOpensAt", nullValue()));

        operator().body(Map.of("reason", "again")).post("/api/sets/" + story.set + "/override-window").then()
                .statusCode(409).body("message", containsString("already overridden by operator:alice"));
        holder().body(Map.of("reason", "x")).post("/api/sets/" + story.set + "/override-window").then().statusCode(403);
    }

    @Test
    void aHoldThatIsNotOneGetsA400ThatSaysWhatToFix() {
        SetStory story = running();
        String holds = "/api/sets/" + story.set + "/holds";
        operator().body(Map.of("name", "m", "until", "30 minutes", "reason", "x")).post(holds).then().statusCode(400)
                .body("message", containsString("ISO-8601 duration such as PT30M"));
        operator().body(Map.of("name", "m", "until", "P30D", "reason", "x")).post(holds).then().statusCode(400)
                .body("message", containsString("at most PT168H"));
        operator().body(Map.of("name", "m", "until", "-PT1M", "reason", "x")).post(holds).then().statusCode(400);
        operator().body(Map.of("name", "m", "until", "PT1M", "onExpiry", "explode", "reason", "x")).post(holds)
                .then().statusCode(400).body("message", containsString("onExpiry must be"));
        operator().body(Map.of("name", "../m", "until", "PT1M", "reason", "x")).post(holds).then().statusCode(400);
        operator().body(Map.of("name", "m", "until", "PT1M")).post(holds).then().statusCode(400);
        operator().body(Map.of("name", "m", "until", "PT1M", "reason", "x")).post("/api/sets/nosuchset/holds")
                .then().statusCode(404);
        given().contentType(ContentType.JSON).body(Map.of("name", "m", "until", "PT1M", "reason", "x")).post(holds)
                .then().statusCode(401);
    }

    @Test
    void aRollbackThatReachesTheLogAfterItsRolloutWasReplacedIsRefusedWhereTheOperatorSeesIt() throws Exception {
        SetStory story = running();
        // What an API whose read model lagged the set's log would have sent: the rollout it saw, since replaced.
        Event<RollbackRequested> stale = Event.of("/test", new RollbackRequested(story.set, story.set + "-r0",
                "operator:alice", "errors up"));
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(codec.encode(Topics.COMMANDS, stale)).get();
        }

        await("the rollback to be refused").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/commands/" + stale.id()).then().statusCode(200).body("status", is("REFUSED"))
                .body("by", is("the set's log"))
                .body("outcome", containsString(story.set + "-r0 was no longer the set's latest"))
                .body("outcome", containsString(story.rolloutId() + " is, RUNNING")));
        operator().get("/api/sets/" + story.set).then().body("rollouts[0].status", is("RUNNING"))
                .body("commands[0].id", is(stale.id())).body("commands[0].status", is("REFUSED"));
    }

    @Test
    void aCommandTheStoreRefusesOrCarriesOutSaysSoAndWhoRefusedIt() throws Exception {
        SetStory story = running();
        String refused = operator().body(Map.of("digest", story.artifact, "channel", "staging"))
                .post("/api/sets/" + story.set + "/promote").then().statusCode(202).extract().path("id");
        await("the promote to be in the read model").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/commands/" + refused).then().statusCode(200).body("status", is("SENT")));
        ConsumerRecord<String, byte[]> record = kafka.awaitRecord(Topics.COMMANDS,
                r -> refused.equals(header(r, "ce_id")), DEADLINE);
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(DeadLetters.of(record, "cas-flagging", "refused", "the channel is frozen")).get();
            producer.send(DeadLetters.of(new ConsumerRecord<>(Topics.COMMANDS, 0, 7, story.set, "{not json".getBytes()),
                    "cas-flagging", "unparseable", "not JSON")).get();
        }
        await("the refusal to be shown").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/commands/" + refused).then().body("status", is("REFUSED"))
                .body("by", is("cas-flagging")).body("outcome", is("the channel is frozen")));
        operator().get("/api/audit?set=" + story.set).then()
                .body("items.find { it.type == 'dev.slipway.command.refused' }.summary",
                        containsString("refused by cas-flagging: the channel is frozen"));
        await("the unreadable record to be in the audit trail").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/audit?size=500").then().body("items.summary", hasItem(
                        "an unreadable record at slipway.commands-0@7 refused by cas-flagging: not JSON")));

        String applied = operator().body(Map.of("digest", story.artifact, "channel", "canary"))
                .post("/api/sets/" + story.set + "/promote").then().statusCode(202).extract().path("id");
        Event<?> promote = command(Topics.COMMANDS, applied);
        // What cas-service announces when it carries a promote out, under the id derived from the command's.
        SetStory.publish(kafka, List.of(Event.causedBy(promote, CommandEffects.DEPLOYABLE, "/cas-service/test",
                promote.time(), new ArtifactDeployable(story.set, "canary", story.recipe, story.artifact,
                        "operator:alice"))));
        await("the promote to be carried out").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/commands/" + applied).then().body("status", is("APPLIED"))
                .body("outcome", containsString("canary")));
        operator().get("/api/commands/no-such-command").then().statusCode(404)
                .body("message", containsString("no command no-such-command"));
    }

    @Test
    void digestsCanBeGivenShortAsTheCliAndConsolePrintThem() {
        SetStory story = running();
        String shortArtifact = story.artifact.substring("sha256:".length(), "sha256:".length() + 12);
        String id = operator().body(Map.of("digest", shortArtifact, "channel", "staging"))
                .post("/api/sets/" + story.set + "/promote").then().statusCode(202).extract().path("id");
        assertEquals(new PromoteRequested(story.set, "staging", story.recipe, "operator:alice"),
                command(Topics.COMMANDS, id).data());
        operator().get("/api/artifacts/sha256:" + shortArtifact).then().statusCode(200)
                .body("artifact.digest", is(story.artifact));
        operator().get("/api/artifacts/" + story.recipe.substring(7, 27)).then().statusCode(200)
                .body("artifact.digest", is(story.artifact));

        String prefix = "ab12cd34ef56";
        SetStory twins = new SetStory("twins");
        for (String tail : List.of("1", "2")) {
            twins.add(new ArtifactBuilt("sha256:" + prefix + tail.repeat(52), "sha256:" + prefix + "0" + tail.repeat(51),
                    twins.set, Map.of(), twins.provenance, "c2ln", SetStory.digestOf("log"), "builder-1", true, false));
        }
        twins.publish(kafka);
        await("both builds to be projected").atMost(DEADLINE).untilAsserted(() -> operator()
                .get("/api/artifacts/sha256:" + prefix + "2".repeat(52)).then().statusCode(200));
        operator().get("/api/artifacts/" + prefix).then().statusCode(409)
                .body("message", containsString("names 2 recipes")).body("message", containsString("give more"));
        operator().get("/api/artifacts/" + "0".repeat(12)).then().statusCode(404)
                .body("message", containsString("nothing was built"));
        operator().get("/api/artifacts/abc").then().statusCode(400);
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
        operator().post(set + "/resume").then().statusCode(409).body("message", containsString("is not paused"));

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
        operator().body("{\"reason\": \"" + "x".repeat(100_000) + "\"}").post(set + "/pause").then().statusCode(413)
                .body("status", is(413)).body("message", containsString("larger than the 65536 bytes"));
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
