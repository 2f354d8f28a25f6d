package dev.slipway.build.messaging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.build.run.BuildInputs;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.build.BuildFailed;
import dev.slipway.events.build.BuildRequested;
import dev.slipway.events.build.BuildStarted;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The running build-service, driven through the real broker, building with real bubblewrap into its store. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
class BuildOverKafkaTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path STORE = Path.of("target/test-store");

    private final KafkaBroker kafka = KafkaBroker.shared();
    private final CloudEventCodec codec = new CloudEventCodec();
    private BlobStoreFileSystem store;
    private BuildInputs inputs;

    @BeforeEach
    void inputs() throws Exception {
        store = new BlobStoreFileSystem(STORE);
        inputs = new BuildInputs(store, Files.createDirectories(Path.of("target/test-scratch")));
    }

    @Test
    void aRequestedBuildIsStartedBuiltAndAnnouncedWithSignedProvenance() throws Exception {
        Digest recipe = inputs.recipe(inputs.busybox(), inputs.tree(Map.of("a.txt", "a " + System.nanoTime())),
                "PT30S", "mkdir -p out && cp /src/a.txt out/");
        Event<BuildRequested> request = Event.of("/ci/test", new BuildRequested(recipe.toString(), "ci-job-1"));

        send(codec.encode(request));

        ArtifactBuilt built = (ArtifactBuilt) codec.decode(kafka.awaitRecord(Topics.ARTIFACTS,
                recipeIs(recipe, ArtifactBuilt.TYPE), DEADLINE)).data();
        assertFalse(built.cacheHit());
        assertTrue(built.hermetic());
        assertEquals("payments-api", built.deploymentSet());
        BuildStarted started = (BuildStarted) codec.decode(kafka.awaitRecord(Topics.BUILDS,
                recipeIs(recipe, BuildStarted.TYPE), DEADLINE)).data();
        assertEquals(built.builder(), started.builder());
        try (InputStream envelope = store.open(Digest.parse(built.provenance()))) {
            Provenance provenance = Provenance.verify(envelope.readAllBytes(), BuilderKeys.trusted(
                    List.of(Files.readString(Path.of("target/test-build-key/builder.pub")))));
            assertEquals(built.artifact(), provenance.artifact().toString());
            assertEquals(request.id(), provenance.invocation());
        }
    }

    @Test
    void aFailingBuildIsAnnouncedWithAReasonAndItsLog() throws Exception {
        Digest recipe = inputs.recipe(inputs.busybox(), inputs.tree(Map.of("b.txt", "b " + System.nanoTime())),
                "PT30S", "echo 'compiler says no' >&2; exit 2");

        send(codec.encode(Event.of("/ci/test", new BuildRequested(recipe.toString(), "ci-job-2"))));

        BuildFailed failed = (BuildFailed) codec.decode(kafka.awaitRecord(Topics.BUILDS,
                recipeIs(recipe, BuildFailed.TYPE), DEADLINE)).data();
        assertEquals("step 'step-1' exited with status 2; see the build log", failed.reason());
        try (InputStream log = store.open(Digest.parse(failed.log()))) {
            assertTrue(new String(log.readAllBytes(), UTF_8).contains("compiler says no"));
        }
    }

    @Test
    void garbageGoesToTheDeadLetterTopicAndTheNextRequestIsStillBuilt() throws Exception {
        Digest recipe = inputs.recipe(inputs.busybox(), inputs.tree(Map.of("c.txt", "c " + System.nanoTime())),
                "PT30S", "mkdir -p out && cp /src/c.txt out/");
        String garbageKey = "garbage-" + System.nanoTime();

        send(new ProducerRecord<>(Topics.BUILDS, garbageKey, "not an event".getBytes(UTF_8)),
                codec.encode(Event.of("/ci/test", new BuildRequested(recipe.toString(), "ci-job-3"))));

        kafka.awaitRecord(Topics.ARTIFACTS, recipeIs(recipe, ArtifactBuilt.TYPE), DEADLINE);
        ConsumerRecord<String, byte[]> dead = kafka.awaitRecord(Topics.deadLetter(Topics.BUILDS),
                record -> garbageKey.equals(record.key()), DEADLINE);
        assertTrue(new String(dead.headers().lastHeader(DeadLetters.HEADER_REASON).value(), UTF_8).length() > 0);
    }

    @Test
    void aRepeatedRequestIsAnsweredFromTheActionCacheUnderTheSameAnnouncementId() throws Exception {
        Digest recipe = inputs.recipe(inputs.busybox(), inputs.tree(Map.of("d.txt", "d " + System.nanoTime())),
                "PT30S", "mkdir -p out && cp /src/d.txt out/");
        Event<BuildRequested> first = Event.of("/ci/test", new BuildRequested(recipe.toString(), "ci-job-4"));
        send(codec.encode(first));
        kafka.awaitRecord(Topics.ARTIFACTS, recipeIs(recipe, ArtifactBuilt.TYPE), DEADLINE);

        Event<BuildRequested> second = Event.of("/ci/test", new BuildRequested(recipe.toString(), "ci-job-5"));
        send(codec.encode(second), codec.encode(first));
        kafka.awaitRecord(Topics.ARTIFACTS, recipeIs(recipe, ArtifactBuilt.TYPE)
                .and(record -> ((ArtifactBuilt) decode(record).data()).cacheHit()), DEADLINE);

        List<ConsumerRecord<String, byte[]>> announced = kafka.readToEnd(Topics.ARTIFACTS,
                recipeIs(recipe, ArtifactBuilt.TYPE));
        List<String> ids = announced.stream().map(record -> decode(record).id()).distinct().toList();
        assertEquals(2, ids.size(), "one announcement id per request, however often it is delivered: " + ids);
    }

    private Predicate<ConsumerRecord<String, byte[]>> recipeIs(Digest recipe, String type) {
        return record -> {
            try {
                Event<?> event = codec.decode(record);
                return event.type().equals(type) && event.data().toString().contains(recipe.toString());
            } catch (Exception notAnEvent) {
                return false;
            }
        };
    }

    private Event<?> decode(ConsumerRecord<String, byte[]> record) {
        try {
            return codec.decode(record);
        } catch (dev.slipway.events.wire.EventDecodingException e) {
            throw new AssertionError(e);
        }
    }

    @SafeVarargs
    private void send(ProducerRecord<String, byte[]>... records) throws Exception {
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            for (ProducerRecord<String, byte[]> record : records) {
                producer.send(record).get();
            }
        }
    }
}
