package dev.slipway.release.provenance;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.events.Event;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.release.SetStory;
import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import dev.slipway.testsupport.postgres.PostgresTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.GLOBAL)
class ProvenanceApiTest {

    /** The private half of the trusted key in application.properties (%test). */
    private static final KeyPair TRUSTED = new KeyPair(
            BuilderKeys.publicKey("MCowBQYDK2VwAyEARH0ntn/A8X/XR7eGau5HJfWBdHUpkJR+hyQU7wKVivo="),
            BuilderKeys.privateKey("MC4CAQAwBQYDK2VwBCIEIPS6SmuyK8+g6mYLPZrn+23pBqioU2In+Q3CpcfqBPWE"));

    private final KafkaBroker kafka = KafkaBroker.shared();

    /** An artifact whose provenance, signed by {@code key}, is in the store and announced on the log. */
    private String built(String name, KeyPair key) throws Exception {
        Digest artifact = Digest.of(name.getBytes());
        Digest recipe = Digest.of((name + "/recipe").getBytes());
        Provenance provenance = new Provenance(artifact, recipe, Map.of("src", Digest.of((name + "/src").getBytes())),
                "builder-7", true, "test", Instant.parse("2026-11-25T10:00:00Z"), Instant.parse("2026-11-25T10:00:09Z"),
                Digest.of((name + "/log").getBytes()), null);
        byte[] envelope = provenance.sign(key.getPrivate(), key.getPublic()).toJson();
        Digest envelopeDigest = Digest.of(envelope);
        new BlobStoreFileSystem(Path.of("target/provenance-store")).write(envelopeDigest, new ByteArrayInputStream(envelope));
        SetStory.publish(kafka, List.of(Event.of("/test", new ArtifactBuilt(artifact.toString(), recipe.toString(), "shop",
                Map.of("src", Digest.of((name + "/src").getBytes()).toString()), envelopeDigest.toString(), "sig",
                Digest.of((name + "/log").getBytes()).toString(), "builder-7", true, false))));
        await("the artifact to be projected").atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .header("Authorization", "Bearer viewer-secret").get("/api/artifacts/" + artifact).then().statusCode(200));
        return artifact.toString();
    }

    @Test
    void aTrustedSignatureIsVerifiedAndTheStatementShown() throws Exception {
        String artifact = built("trusted-" + System.nanoTime(), TRUSTED);
        given().header("Authorization", "Bearer viewer-secret").get("/api/artifacts/" + artifact + "/provenance")
                .then().statusCode(200)
                .body("verified", is(true))
                .body("builder", is("builder-7"))
                .body("hermetic", is(true))
                .body("inputs.src", containsString("sha256:"));
    }

    @Test
    void aSignatureByAnUntrustedKeyIsRefusedWith422() throws Exception {
        String artifact = built("untrusted-" + System.nanoTime(), BuilderKeys.generate());
        given().header("Authorization", "Bearer viewer-secret").get("/api/artifacts/" + artifact + "/provenance")
                .then().statusCode(422).body("message", containsString("does not verify"));
    }
}
