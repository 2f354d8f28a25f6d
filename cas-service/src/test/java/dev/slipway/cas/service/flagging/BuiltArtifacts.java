package dev.slipway.cas.service.flagging;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.provenance.BuilderKeys;
import dev.slipway.cas.provenance.Dsse;
import dev.slipway.cas.provenance.Provenance;
import dev.slipway.events.Event;
import dev.slipway.events.artifact.ArtifactBuilt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/** Builds that look real: random blobs in a store, and the ArtifactBuilt event that names them. */
final class BuiltArtifacts {

    private BuiltArtifacts() {
    }

    static String uniqueSet() {
        return "set-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The test builder's key; its public half is trusted in the %test profile. */
    static final KeyPair BUILDER = new KeyPair(
            BuilderKeys.publicKey("MCowBQYDK2VwAyEAbFThrJb/oBCikzsbhwD1Qj7bIj0VOcnMi4cW2C6yE/I="),
            BuilderKeys.privateKey("MC4CAQAwBQYDK2VwBCIEIEmXFKkWAPF9UBLxwxvhxaTmPrQvovWcDz5j9tPliXxb"));
    static final Map<String, PublicKey> TRUSTED = Map.of(BuilderKeys.keyId(BUILDER.getPublic()), BUILDER.getPublic());
    /** The test store's release key; the %test profile signs channel states with it. */
    static final KeyPair RELEASE = new KeyPair(
            BuilderKeys.publicKey("MCowBQYDK2VwAyEAu6JBLdjhI+Xq3QmHJx8yrQd5qf0DQOA8l1keX3C68QE="),
            BuilderKeys.privateKey("MC4CAQAwBQYDK2VwBCIEIPQQ1fur2DWzJG29L8mM/sjGheCSv0J51HlLfqMhvkgD"));

    /** A signed envelope with the given provenance payload, stored, and its build event. */
    static Event<ArtifactBuilt> withEnvelope(BlobStore store, String deploymentSet, byte[] envelope) throws IOException {
        return Event.of("/build-service/test", new ArtifactBuilt(put(store, bytes()), put(store, bytes()),
                deploymentSet, Map.of(), put(store, envelope), "c2lnbmF0dXJl", random().toString(), "builder-1", true,
                false));
    }

    /**
     * Stores an artifact, a recipe and their provenance signed by {@link #BUILDER}, and returns the event
     * announcing their build.
     */
    static Event<ArtifactBuilt> stored(BlobStore store, String deploymentSet) throws IOException {
        return signedBy(BUILDER, store, deploymentSet);
    }

    static Event<ArtifactBuilt> signedBy(KeyPair builder, BlobStore store, String deploymentSet) throws IOException {
        return signedBy(builder, "builder-1", store, deploymentSet, put(store, bytes()), put(store, bytes()));
    }

    /** A build of {@code recipe} to {@code artifact} (both stored) by the builder {@code id} holding {@code builder}. */
    static Event<ArtifactBuilt> signedBy(KeyPair builder, String id, BlobStore store, String deploymentSet,
            String artifact, String recipe) throws IOException {
        Provenance provenance = new Provenance(Digest.parse(artifact), Digest.parse(recipe), Map.of(), id, true,
                "request-1", Instant.parse("2026-11-24T12:00:00Z"), Instant.parse("2026-11-24T12:00:01Z"), random(), null);
        Dsse.Envelope envelope = provenance.sign(builder.getPrivate(), builder.getPublic());
        return Event.of("/build-service/test", new ArtifactBuilt(artifact, recipe, deploymentSet,
                Map.of(), put(store, envelope.toJson()), envelope.signature(), random().toString(), id,
                true, false));
    }

    /** An event naming blobs nobody stored. */
    static Event<ArtifactBuilt> missing(String deploymentSet) {
        return Event.of("/build-service/test", new ArtifactBuilt(random().toString(), random().toString(),
                deploymentSet, Map.of(), random().toString(), "c2lnbmF0dXJl", random().toString(), "builder-1", true,
                false));
    }

    static String put(BlobStore store, byte[] bytes) throws IOException {
        Digest digest = Digest.of(bytes);
        store.write(digest, new ByteArrayInputStream(bytes));
        return digest.toString();
    }

    static String randomBlob(BlobStore store) throws IOException {
        return put(store, bytes());
    }

    private static Digest random() {
        return Digest.of(bytes());
    }

    private static byte[] bytes() {
        byte[] bytes = new byte[1024];
        new SplittableRandom().nextBytes(bytes);
        return bytes;
    }
}
