package dev.slipway.cas.service.flagging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagStore;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.events.Event;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ArtifactRejected;
import dev.slipway.events.command.PromoteRequested;
import dev.slipway.events.command.RevokeRequested;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.release.ChannelState;
import dev.slipway.cas.release.SignedChannelState;
import dev.slipway.events.artifact.ChannelStateSigned;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flagging decisions on a real filesystem store, without Kafka. */
class FlaggerTest {

    @TempDir
    Path root;

    private BlobStoreFileSystem blobs;
    private FlagStore flags;
    private Flagger flagger;
    private ChannelStates states;
    /** The real store, made to time out on the next reads when a test says so. */
    private final AtomicInteger failingReads = new AtomicInteger();
    private final BlobStore failing = new BlobStore() {
        @Override
        public InputStream open(Digest digest) throws IOException {
            if (failingReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("Read timed out (the backend, not the blob)");
            }
            return blobs.open(digest);
        }

        @Override
        public OptionalLong size(Digest digest) throws IOException {
            return blobs.size(digest);
        }

        @Override
        public boolean write(Digest digest, InputStream in) throws IOException {
            return blobs.write(digest, in);
        }

        @Override
        public Stream<Digest> list() throws IOException {
            return blobs.list();
        }

        @Override
        public boolean delete(Digest digest) throws IOException {
            return blobs.delete(digest);
        }
    };

    @BeforeEach
    void createStore() throws Exception {
        blobs = new BlobStoreFileSystem(root);
        flags = new FlagStoreFileSystem(root);
        FlaggingConfig.AutoFlag autoFlag = new FlaggingConfig.AutoFlag() {
            @Override
            public List<String> defaultChannels() {
                return List.of("staging");
            }

            @Override
            public Map<String, List<String>> sets() {
                return Map.of("eager", List.of("staging", "canary"));
            }
        };
        states = new ChannelStates(flags, BuiltArtifacts.RELEASE, List.of(), Duration.ofHours(24), Duration.ofHours(1));
        flagger = new Flagger(failing, flags, autoFlag, "/cas-service/test", BuiltArtifacts.TRUSTED, states);
    }

    @Test
    void handlingAnEventAgainAsAfterACrashWritesNothingAndAnnouncesTheSameEvents() throws Exception {
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(blobs, "payments");

        List<Flagger.Announcement> first = flagger.handle(built);
        FlagStore.Versioned afterFirst = flags.read(Digest.parse(built.data().recipe()));
        List<Flagger.Announcement> second = flagger.handle(built);

        assertEquals(first, second);
        assertEquals(afterFirst, flags.read(Digest.parse(built.data().recipe())));
        assertEquals(2, first.size());
        assertEquals(new ArtifactDeployable("payments", "staging", built.data().recipe(), built.data().artifact(),
                "auto-flag"), first.get(0).event().data());
        ChannelState state = stateIn(first.get(1));
        assertEquals(1, state.version());
        assertEquals(new ChannelState.Release(built.data().recipe(), built.data().artifact(), first.get(0).event().id(),
                built.time()), state.current("staging").orElseThrow());
    }

    @Test
    void everyFlagIsSignedIntoTheSetsChannelStateUnderAGrowingVersion() throws Exception {
        Event<ArtifactBuilt> v1 = BuiltArtifacts.stored(blobs, "payments");
        Event<ArtifactBuilt> v2 = BuiltArtifacts.stored(blobs, "payments");
        flagger.handle(v1);
        flagger.handle(v2);
        List<Flagger.Announcement> promoted = flagger.handle(Event.of("/op",
                new PromoteRequested("payments", "production", v1.data().recipe(), "bob")));

        ChannelState state = stateIn(promoted.get(promoted.size() - 1));
        assertEquals(3, state.version());
        assertEquals(v2.data().artifact(), state.current("staging").orElseThrow().artifact());
        assertEquals(v1.data().artifact(), state.current("production").orElseThrow().artifact());
        assertEquals(state, SignedChannelState.verify(flags.readChannelState("payments").bytes(),
                Map.of(BuilderKeys.keyId(BuiltArtifacts.RELEASE.getPublic()), BuiltArtifacts.RELEASE.getPublic())));
    }

    @Test
    void revokingWhatAChannelRunsFallsBackToTheReleaseBeforeItAsANewDeployable() throws Exception {
        Event<ArtifactBuilt> v1 = BuiltArtifacts.stored(blobs, "payments");
        Event<ArtifactBuilt> v2 = BuiltArtifacts.stored(blobs, "payments");
        flagger.handle(v1);
        flagger.handle(v2);
        Event<RevokeRequested> revoke = Event.of("/op", new RevokeRequested("payments", v2.data().recipe(), "alice",
                "CVE-2026-1"));

        List<Flagger.Announcement> announced = flagger.handle(revoke);

        ArtifactDeployable back = (ArtifactDeployable) announced.get(1).event().data();
        assertEquals(v1.data().artifact(), back.artifact());
        ChannelState state = stateIn(announced.get(2));
        ChannelState.Release current = state.current("staging").orElseThrow();
        assertEquals(v1.data().recipe(), current.recipe());
        assertEquals(announced.get(1).event().id(), current.event(), "a new release: the set rolls back to it");
        assertEquals("CVE-2026-1", state.revoked().get(v2.data().artifact()).reason());
        assertEquals(announced, flagger.handle(revoke), "handled again, the same announcements");
    }

    @Test
    void revokingTheOnlyReleaseOfAChannelHoldsIt() throws Exception {
        Event<ArtifactBuilt> v1 = BuiltArtifacts.stored(blobs, "payments");
        flagger.handle(v1);

        List<Flagger.Announcement> announced = flagger.handle(Event.of("/op",
                new RevokeRequested("payments", v1.data().recipe(), "alice", "CVE-2026-2")));

        assertEquals(2, announced.size());
        ChannelState state = stateIn(announced.get(1));
        assertTrue(state.current("staging").isEmpty());
        assertTrue(state.revoked().containsKey(v1.data().artifact()));
    }

    @Test
    void dueStatesAreSignedAgainUnchangedUnderTheNextVersionAndOthersAreNot() throws Exception {
        Event<ArtifactBuilt> v1 = BuiltArtifacts.stored(blobs, "payments");
        ChannelState signed = stateIn(flagger.handle(v1).get(1));

        assertEquals(List.of(), states.renew(v1.time().plus(Duration.ofMinutes(59))));
        List<ChannelStateSigned> renewed = states.renew(v1.time().plus(Duration.ofMinutes(61)));

        assertEquals(1, renewed.size());
        ChannelState next = states.stateOf(renewed.get(0));
        assertEquals(signed.version() + 1, next.version());
        assertTrue(next.sameContent(signed));
        assertEquals(v1.time().plus(Duration.ofMinutes(61)).plus(Duration.ofHours(24)), next.expires());
    }

    @Test
    void provenanceMissingItsPayloadOrAKeyIdIsARejectionNotACrash() throws Exception {
        for (String envelope : List.of("{\"payloadType\": \"application/vnd.in-toto+json\", \"signatures\": []}",
                "{\"payloadType\": \"application/vnd.in-toto+json\", \"payload\": \"e30=\", "
                        + "\"signatures\": [{\"sig\": \"c2ln\"}]}",
                "{\"payload\": \"e30=\", \"signatures\": [{\"keyid\": \"k\", \"sig\": \"c2ln\"}]}",
                "[]", "null")) {
            Event<ArtifactBuilt> hostile = BuiltArtifacts.withEnvelope(blobs, "payments",
                    envelope.getBytes(StandardCharsets.UTF_8));

            List<Flagger.Announcement> announced = flagger.handle(hostile);

            ArtifactRejected rejected = (ArtifactRejected) announced.get(0).event().data();
            assertTrue(rejected.reason().contains("not a DSSE envelope"), envelope + ": " + rejected.reason());
        }
    }

    @Test
    void aStoreThatTimesOutWhileVerifyingIsTriedAgainNotARejection() throws Exception {
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(blobs, "payments");
        failingReads.set(1);

        assertThrows(IOException.class, () -> flagger.handle(built));
        List<Flagger.Announcement> again = flagger.handle(built);

        assertTrue(again.get(0).event().data() instanceof ArtifactDeployable, again.toString());
    }

    @Test
    void handlingABuildAgainAfterItsFlagsSayBuiltNeverAnnouncesARejection() throws Exception {
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(blobs, "payments");
        List<Flagger.Announcement> first = flagger.handle(built);
        Files.delete(blobs.pathOf(Digest.parse(built.data().artifact())));

        assertEquals(first, flagger.handle(built));
    }

    private ChannelState stateIn(Flagger.Announcement announcement) throws IOException {
        return states.stateOf((ChannelStateSigned) announcement.event().data());
    }

    @Test
    void aSetsOwnAutoFlagPolicyReplacesTheDefault() throws Exception {
        List<Flagger.Announcement> announced = flagger.handle(BuiltArtifacts.stored(blobs, "eager"));

        assertEquals(List.of("staging", "canary"), announced.stream().map(a -> a.event().data())
                .filter(ArtifactDeployable.class::isInstance).map(d -> ((ArtifactDeployable) d).channel()).toList());
    }

    @Test
    void aRevokedRecipeIsNeverPromoted() throws Exception {
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(blobs, "payments");
        flagger.handle(built);
        flagger.handle(Event.of("/op", new RevokeRequested("payments", built.data().recipe(), "alice", "CVE")));

        Flagger.Refused refused = assertThrows(Flagger.Refused.class, () -> flagger.handle(Event.of("/op",
                new PromoteRequested("payments", "production", built.data().recipe(), "bob"))));

        assertTrue(refused.getMessage().contains("revoked"), refused.getMessage());
    }

    @Test
    void aPromotionForAnotherSetIsRefused() throws Exception {
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(blobs, "payments");
        flagger.handle(built);

        Flagger.Refused refused = assertThrows(Flagger.Refused.class, () -> flagger.handle(Event.of("/op",
                new PromoteRequested("billing", "production", built.data().recipe(), "bob"))));

        assertTrue(refused.getMessage().contains("payments"), refused.getMessage());
    }

    @Test
    void aBuildSignedByAnUntrustedBuilderIsRejectedAndNothingFlagged() throws Exception {
        Event<ArtifactBuilt> forged = BuiltArtifacts.signedBy(BuilderKeys.generate(), blobs, "payments");

        List<Flagger.Announcement> announced = flagger.handle(forged);

        ArtifactRejected rejected = (ArtifactRejected) announced.get(0).event().data();
        assertEquals(1, announced.size());
        assertTrue(rejected.reason().contains("no signature verifies under a trusted key"), rejected.reason());
        assertTrue(flags.read(Digest.parse(forged.data().recipe())).absent());
    }

    @Test
    void provenanceSignedForAnotherArtifactIsRejected() throws Exception {
        Event<ArtifactBuilt> honest = BuiltArtifacts.stored(blobs, "payments");
        ArtifactBuilt data = honest.data();
        String swapped = BuiltArtifacts.put(blobs, "a different artifact".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Event<ArtifactBuilt> lying = Event.of("/build-service/test", new ArtifactBuilt(swapped, data.recipe(),
                data.deploymentSet(), data.inputs(), data.provenance(), data.signature(), data.log(), data.builder(),
                true, false));

        ArtifactRejected rejected = (ArtifactRejected) flagger.handle(lying).get(0).event().data();

        assertTrue(rejected.reason().contains("not for this build"), rejected.reason());
    }
}
