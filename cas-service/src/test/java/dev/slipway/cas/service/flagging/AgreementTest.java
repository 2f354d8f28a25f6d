package dev.slipway.cas.service.flagging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.flag.FlagStore;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.flag.Flags;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.events.Event;
import dev.slipway.events.artifact.ArtifactBuilt;
import dev.slipway.events.artifact.ArtifactDeployable;
import dev.slipway.events.artifact.ArtifactRejected;
import dev.slipway.events.command.PromoteRequested;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k of n builders must build the same bytes before the store flags a recipe: the real Flagger on a real
 * filesystem store, with builds signed by real keys.
 */
class AgreementTest {

    static final KeyPair ALICE = BuilderKeys.generate();
    static final KeyPair BOB = BuilderKeys.generate();
    static final KeyPair CAROL = BuilderKeys.generate();
    /** Trusted by the store, but not one of the set's builders. */
    static final KeyPair OUTSIDER = BuilderKeys.generate();
    static final Duration DEADLINE = Duration.ofMinutes(30);

    @TempDir
    Path root;

    BlobStoreFileSystem blobs;
    FlagStore flags;
    Flagger flagger;

    @BeforeEach
    void createStore() throws Exception {
        blobs = new BlobStoreFileSystem(root);
        flags = new FlagStoreFileSystem(root);
        FlaggingConfig.AutoFlag staging = new FlaggingConfig.AutoFlag() {
            @Override
            public List<String> defaultChannels() {
                return List.of("staging");
            }

            @Override
            public Map<String, List<String>> sets() {
                return Map.of();
            }
        };
        Agreement twoOfThree = new Agreement(2, Set.of(id(ALICE), id(BOB), id(CAROL)), DEADLINE);
        Agreements agreements = new Agreements(Agreement.ANY_ONE, Map.of("payments", twoOfThree), Map.of(
                id(ALICE), ALICE.getPublic(), id(BOB), BOB.getPublic(), id(CAROL), CAROL.getPublic()));
        flagger = new Flagger(blobs, flags, staging, "/cas-service/test", Map.of(id(OUTSIDER), OUTSIDER.getPublic()),
                new ChannelStates(flags, BuiltArtifacts.RELEASE, List.of(), Duration.ofHours(24), Duration.ofHours(1)),
                agreements);
    }

    @Test
    void oneBuildIsPendingTheSecondThatAgreesFlagsItOnceAndAThirdAnnouncesNothing() throws Exception {
        String artifact = BuiltArtifacts.randomBlob(blobs);
        String recipe = BuiltArtifacts.randomBlob(blobs);

        List<Flagger.Announcement> first = flagger.handle(build(ALICE, "alice", artifact, recipe));
        assertEquals(List.of(), first, "1 of 2: pending");
        assertNull(flagsOf(recipe).built());

        Event<ArtifactBuilt> agreeing = build(BOB, "bob", artifact, recipe);
        List<Flagger.Announcement> second = flagger.handle(agreeing);
        assertEquals(new ArtifactDeployable("payments", "staging", recipe, artifact,
                "auto-flag: alice, bob built the same bytes (2 required)"),
                second.get(0).event().data());
        assertEquals(agreeing.id(), flagsOf(recipe).built().event());
        assertEquals(second, flagger.handle(agreeing), "handled again, the same announcements");

        assertEquals(List.of(), flagger.handle(build(CAROL, "carol", artifact, recipe)),
                "already flagged: a third agreeing builder starts no second rollout");
        assertEquals(3, flagsOf(recipe).claims().size());
        assertEquals(Map.of(), new PendingAgreements(flags).read(), "settled: no longer waiting");
    }

    @Test
    void buildersThatBuiltDifferentBytesRejectTheRecipeNamingEveryBuilderAndDigest() throws Exception {
        String recipe = BuiltArtifacts.randomBlob(blobs);
        String honest = BuiltArtifacts.randomBlob(blobs);
        String different = BuiltArtifacts.randomBlob(blobs);
        flagger.handle(build(ALICE, "alice", honest, recipe));

        List<Flagger.Announcement> rejected = flagger.handle(build(BOB, "bob", different, recipe));

        ArtifactRejected why = (ArtifactRejected) rejected.get(0).event().data();
        assertTrue(why.reason().contains("builders disagree"), why.reason());
        assertTrue(why.reason().contains("alice (key sha256:") && why.reason().contains("built " + honest),
                why.reason());
        assertTrue(why.reason().contains("bob (key sha256:") && why.reason().contains("built " + different),
                why.reason());
        assertNotNull(flagsOf(recipe).rejected());
        assertEquals(List.of(), flagger.handle(build(CAROL, "carol", honest, recipe)),
                "a rejected recipe stays rejected, however many agree afterwards");
        assertNull(flagsOf(recipe).built());
        assertThrows(Flagger.Refused.class, () -> flagger.handle(Event.of("/op",
                new PromoteRequested("payments", "production", recipe, "mallory"))));
    }

    @Test
    void aBuilderOutsideTheSetAndASecondBuildByOneKeyDoNotCount() throws Exception {
        String artifact = BuiltArtifacts.randomBlob(blobs);
        String recipe = BuiltArtifacts.randomBlob(blobs);

        assertEquals(List.of(), flagger.handle(build(OUTSIDER, "outsider", artifact, recipe)));
        assertEquals(Map.of(), flagsOf(recipe).claims(), "not a builder of the set: not even recorded");
        assertEquals(List.of(), flagger.handle(build(ALICE, "alice", artifact, recipe)));
        assertEquals(List.of(), flagger.handle(build(ALICE, "alice-again", artifact, recipe)),
                "the same key twice is one builder");

        assertNull(flagsOf(recipe).built());
        assertEquals(1, flagsOf(recipe).claims().size());
    }

    @Test
    void aClaimIsNamedAsItsSignedProvenanceNamesTheBuilderNotAsTheEventDoes() throws Exception {
        String artifact = BuiltArtifacts.randomBlob(blobs);
        String recipe = BuiltArtifacts.randomBlob(blobs);
        Event<ArtifactBuilt> signed = build(ALICE, "alice", artifact, recipe);
        ArtifactBuilt built = signed.data();

        flagger.handle(new Event<>(signed.id(), signed.source(), signed.time(), new ArtifactBuilt(built.artifact(),
                built.recipe(), built.deploymentSet(), built.inputs(), built.provenance(), built.signature(),
                built.log(), "bob", built.hermetic(), built.cacheHit())));

        assertEquals(List.of("alice"), flagsOf(recipe).claims().values().stream().map(Flags.Claim::builder).toList());
    }

    @Test
    void aRecipeStillPendingAtItsDeadlineIsRejectedOnceAndOneSettledBeforeIsForgotten() throws Exception {
        String recipe = BuiltArtifacts.randomBlob(blobs);
        String artifact = BuiltArtifacts.randomBlob(blobs);
        Event<ArtifactBuilt> lonely = build(ALICE, "alice", artifact, recipe);
        flagger.handle(lonely);
        String agreedRecipe = BuiltArtifacts.randomBlob(blobs);
        String agreedArtifact = BuiltArtifacts.randomBlob(blobs);
        flagger.handle(build(ALICE, "alice", agreedArtifact, agreedRecipe));
        flagger.handle(build(BOB, "bob", agreedArtifact, agreedRecipe));
        Instant deadline = lonely.time().plus(DEADLINE);

        assertEquals(List.of(), flagger.expire(deadline.minusSeconds(1)));
        List<Flagger.Announcement> expired = flagger.expire(deadline);

        assertEquals(1, expired.size());
        ArtifactRejected why = (ArtifactRejected) expired.get(0).event().data();
        assertEquals(recipe, why.recipe());
        assertEquals(artifact, why.artifact());
        assertTrue(why.reason().startsWith("only 1 of the 2 builders this set requires built it within PT30M (alice"),
                why.reason());
        assertEquals(expired, flagger.expire(deadline.plusSeconds(5)), "until forgotten, the same event again");
        flagger.expired(expired);
        assertEquals(List.of(), flagger.expire(deadline.plusSeconds(10)));
        assertEquals(List.of(), flagger.handle(build(BOB, "bob", artifact, recipe)), "too late: stays rejected");
        assertNull(flagsOf(recipe).built());
        assertNotNull(flagsOf(agreedRecipe).built());
    }

    @Test
    void setsWithoutAnAgreementTakeOneTrustedBuildAsBefore() throws Exception {
        List<Flagger.Announcement> announced = flagger.handle(BuiltArtifacts.signedBy(OUTSIDER, "outsider", blobs,
                "search", BuiltArtifacts.randomBlob(blobs), BuiltArtifacts.randomBlob(blobs)));

        assertTrue(announced.get(0).event().data() instanceof ArtifactDeployable, announced.toString());
    }

    private Event<ArtifactBuilt> build(KeyPair key, String builder, String artifact, String recipe) throws Exception {
        return BuiltArtifacts.signedBy(key, builder, blobs, "payments", artifact, recipe);
    }

    private Flags flagsOf(String recipe) throws Exception {
        return flags.read(Digest.parse(recipe)).flags();
    }

    private static String id(KeyPair key) {
        return BuilderKeys.keyId(key.getPublic());
    }
}
