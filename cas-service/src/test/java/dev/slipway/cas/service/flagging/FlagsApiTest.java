package dev.slipway.cas.service.flagging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ArtifactRevoked;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** The flags API over HTTP, its commands carried out by the running service through the real broker. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
class FlagsApiTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String RELEASER = "releaser-secret";

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();
    private final KafkaBroker kafka = KafkaBroker.shared();
    private final CloudEventCodec codec = new CloudEventCodec();

    @Test
    void anOperatorPromotesAndRevokesThroughTheApiAndEveryChangeIsAnnounced() throws Exception {
        String set = BuiltArtifacts.uniqueSet();
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(new BlobStoreFileSystem(Path.of("target/test-store")), set);
        String recipe = Digest.parse(built.data().recipe()).hex();
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            producer.send(codec.encode(built)).get();
        }
        kafka.awaitRecord(Topics.DEPLOYABLES, r -> set.equals(r.key()), DEADLINE);

        HttpResponse<String> flags = send("GET", "/flags/" + recipe, "reader-secret", null);
        assertEquals(200, flags.statusCode());
        assertTrue(flags.body().contains("\"staging\""), flags.body());

        assertEquals(403, send("PUT", "/flags/" + recipe + "/deployable/production", "builder-secret", null).statusCode());
        assertEquals(400, send("PUT", "/flags/" + recipe + "/deployable/bad%20channel", RELEASER, null).statusCode());
        HttpResponse<String> accepted = send("PUT", "/flags/" + recipe + "/deployable/production", RELEASER, null);
        assertEquals(202, accepted.statusCode(), accepted.body());
        ConsumerRecord<String, byte[]> production = kafka.awaitRecord(Topics.DEPLOYABLES,
                r -> set.equals(r.key()) && decoded(r) instanceof ArtifactDeployable d && d.channel().equals("production"),
                DEADLINE);
        assertEquals("token:release", ((ArtifactDeployable) decoded(production)).flaggedBy());

        assertEquals(400, send("POST", "/flags/" + recipe + "/revoke", RELEASER, "").statusCode());
        assertEquals(202, send("POST", "/flags/" + recipe + "/revoke", RELEASER, "CVE-2026-77").statusCode());
        ConsumerRecord<String, byte[]> revoked = kafka.awaitRecord(Topics.DEPLOYABLES,
                r -> set.equals(r.key()) && decoded(r) instanceof ArtifactRevoked, DEADLINE);
        assertEquals("CVE-2026-77", ((ArtifactRevoked) decoded(revoked)).reason());

        HttpResponse<String> afterRevoke = send("PUT", "/flags/" + recipe + "/deployable/production", RELEASER, null);
        assertEquals(409, afterRevoke.statusCode());
        assertTrue(afterRevoke.body().contains("revoked"), afterRevoke.body());
    }

    @Test
    void aRecipeTheStoreNeverBuiltHasNoFlagsAndCannotBePromoted() throws Exception {
        String unknown = Digest.of("never built".getBytes(UTF_8)).hex();

        assertEquals(404, send("GET", "/flags/" + unknown, "reader-secret", null).statusCode());
        HttpResponse<String> refused = send("PUT", "/flags/" + unknown + "/deployable/staging", RELEASER, null);
        assertEquals(409, refused.statusCode());
        assertTrue(refused.body().contains("no verified build"), refused.body());
        assertEquals(401, send("GET", "/flags/" + unknown, null, null).statusCode());
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Object decoded(ConsumerRecord<String, byte[]> record) {
        try {
            return codec.decode(record).data();
        } catch (EventDecodingException e) {
            throw new AssertionError("the service published an unreadable record", e);
        }
    }
}
