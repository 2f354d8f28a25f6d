package dev.slipway.cas.service.flagging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.flag.Flags;
import dev.slipway.events.Event;
import dev.slipway.events.Topics;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ChannelStateSigned;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.release.ChannelState;
import dev.slipway.cas.release.SignedChannelState;
import dev.slipway.events.artifact.ArtifactRejected;
import dev.slipway.events.artifact.ArtifactRevoked;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RevokeRequested;
import dev.slipway.events.wire.CloudEventCodec;
import dev.slipway.events.wire.DeadLetters;
import dev.slipway.events.wire.EventDecodingException;
import dev.slipway.testsupport.kafka.KafkaBroker;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** The running service's flagging loop, driven through the real broker and the service's own store. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
class FlaggingOverKafkaTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path STORE = Path.of("target/test-store");

    private final KafkaBroker kafka = KafkaBroker.shared();
    private final CloudEventCodec codec = new CloudEventCodec();

    @Test
    void aBuildOfStoredBlobsIsFlaggedAndAnnouncedExactlyOnceEvenWhenDeliveredTwice() throws Exception {
        String set = BuiltArtifacts.uniqueSet();
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(new BlobStoreFileSystem(STORE), set);
        String after = BuiltArtifacts.uniqueSet();
        Event<ArtifactBuilt> later = BuiltArtifacts.stored(new BlobStoreFileSystem(STORE), after);

        send(codec.encode(built), codec.encode(built), codec.encode(later));
        kafka.awaitRecord(Topics.DEPLOYABLES, keyed(after), DEADLINE);

        List<ConsumerRecord<String, byte[]>> announced = kafka.readToEnd(Topics.DEPLOYABLES, keyed(set));
        assertEquals(2, announced.size(), "one ArtifactDeployable for the one auto-flag channel, one channel state");
        assertEquals(new ArtifactDeployable(set, "staging", built.data().recipe(), built.data().artifact(), "auto-flag"),
                codec.decode(announced.get(0)).data());
        ChannelStateSigned signed = (ChannelStateSigned) codec.decode(announced.get(1)).data();
        ChannelState state = SignedChannelState.verify(signed.envelope().getBytes(UTF_8), Map.of(
                BuilderKeys.keyId(BuiltArtifacts.RELEASE.getPublic()), BuiltArtifacts.RELEASE.getPublic()));
        assertEquals(built.data().artifact(), state.current("staging").orElseThrow().artifact());
        Flags flags = new FlagStoreFileSystem(STORE).read(Digest.parse(built.data().recipe())).flags();
        assertEquals(built.data().artifact(), flags.built().artifact().toString());
        assertNotNull(flags.deployable().get("staging"));
    }

    @Test
    void aBuildWhoseBlobsAreNotInTheStoreIsRejectedWithTheReason() throws Exception {
        Event<ArtifactBuilt> missing = BuiltArtifacts.missing(BuiltArtifacts.uniqueSet());

        send(codec.encode(missing));

        ConsumerRecord<String, byte[]> rejected = kafka.awaitRecord(Topics.ARTIFACTS,
                keyed(missing.data().artifact()).and(type(ArtifactRejected.TYPE)), DEADLINE);
        ArtifactRejected reason = (ArtifactRejected) codec.decode(rejected).data();
        assertTrue(reason.reason().contains("not in the store"), reason.reason());
    }

    @Test
    void aGarbageRecordIsDeadLetteredAndTheNextEventIsStillHandled() throws Exception {
        String garbageKey = "garbage-" + System.nanoTime();
        String set = BuiltArtifacts.uniqueSet();
        Event<ArtifactBuilt> next = BuiltArtifacts.stored(new BlobStoreFileSystem(STORE), set);

        send(new ProducerRecord<>(Topics.ARTIFACTS, garbageKey, "{{{".getBytes(UTF_8)), codec.encode(next));

        ConsumerRecord<String, byte[]> letter =
                kafka.awaitRecord(Topics.deadLetter(Topics.ARTIFACTS), keyed(garbageKey), DEADLINE);
        assertEquals("missing-attribute", header(letter, DeadLetters.HEADER_REASON));
        kafka.awaitRecord(Topics.DEPLOYABLES, keyed(set), DEADLINE);
    }

    @Test
    void operatorsPromoteAndRevokeAndImpossibleCommandsAreDeadLettered() throws Exception {
        String set = BuiltArtifacts.uniqueSet();
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(new BlobStoreFileSystem(STORE), set);
        String recipe = built.data().recipe();
        send(codec.encode(built));
        kafka.awaitRecord(Topics.DEPLOYABLES, keyed(set), DEADLINE);

        send(codec.encode(Event.of("/operator", new PromoteRequested(set, "production", recipe, "operator:alice"))));
        ConsumerRecord<String, byte[]> promoted = kafka.awaitRecord(Topics.DEPLOYABLES,
                keyed(set).and(r -> decoded(r) instanceof ArtifactDeployable d && d.channel().equals("production")),
                DEADLINE);
        assertEquals("operator:alice", ((ArtifactDeployable) codec.decode(promoted).data()).flaggedBy());

        send(codec.encode(Event.of("/operator", new RevokeRequested(set, recipe, "operator:alice", "CVE-2026-9"))));
        kafka.awaitRecord(Topics.DEPLOYABLES, keyed(set).and(type(ArtifactRevoked.TYPE)), DEADLINE);

        Event<PromoteRequested> afterRevoke =
                Event.of("/operator", new PromoteRequested(set, "production", recipe, "operator:bob"));
        send(codec.encode(afterRevoke));
        ConsumerRecord<String, byte[]> refused = kafka.awaitRecord(Topics.deadLetter(Topics.COMMANDS),
                r -> afterRevoke.id().equals(header(r, CloudEventCodec.HEADER_ID)), DEADLINE);
        assertEquals("refused", header(refused, DeadLetters.HEADER_REASON));
        assertTrue(header(refused, DeadLetters.HEADER_MESSAGE).contains("revoked"));
    }

    @SafeVarargs
    private void send(ProducerRecord<String, byte[]>... records) throws Exception {
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            for (ProducerRecord<String, byte[]> record : records) {
                producer.send(record).get();
            }
        }
    }

    private static Predicate<ConsumerRecord<String, byte[]>> keyed(String key) {
        return record -> key.equals(record.key());
    }

    private static Predicate<ConsumerRecord<String, byte[]>> type(String type) {
        return record -> type.equals(header(record, CloudEventCodec.HEADER_TYPE));
    }

    private Object decoded(ConsumerRecord<String, byte[]> record) {
        try {
            return codec.decode(record).data();
        } catch (EventDecodingException e) {
            throw new AssertionError("the service published an unreadable record", e);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), UTF_8);
    }
}
