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
import java.nio.file.Path;
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
        flagger = new Flagger(blobs, flags, autoFlag, "/cas-service/test", BuiltArtifacts.TRUSTED);
    }

    @Test
    void handlingAnEventAgainAsAfterACrashWritesNothingAndAnnouncesTheSameEvents() throws Exception {
        Event<ArtifactBuilt> built = BuiltArtifacts.stored(blobs, "payments");

        List<Flagger.Announcement> first = flagger.handle(built);
        FlagStore.Versioned afterFirst = flags.read(Digest.parse(built.data().recipe()));
        List<Flagger.Announcement> second = flagger.handle(built);

        assertEquals(first, second);
        assertEquals(afterFirst, flags.read(Digest.parse(built.data().recipe())));
        assertEquals(1, first.size());
        assertEquals(new ArtifactDeployable("payments", "staging", built.data().recipe(), built.data().artifact(),
                "auto-flag"), first.get(0).event().data());
    }

    @Test
    void aSetsOwnAutoFlagPolicyReplacesTheDefault() throws Exception {
        List<Flagger.Announcement> announced = flagger.handle(BuiltArtifacts.stored(blobs, "eager"));

        assertEquals(List.of("staging", "canary"),
                announced.stream().map(a -> ((ArtifactDeployable) a.event().data()).channel()).toList());
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
        assertTrue(rejected.reason().contains("no signature verifies under a trusted builder key"), rejected.reason());
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
