package dev.slipway.cas.service.flagging;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.events.Event;
import dev.slipway.events.artifact.ArtifactBuilt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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

    /** Stores an artifact, a recipe and a provenance blob, and returns the event announcing their build. */
    static Event<ArtifactBuilt> stored(BlobStore store, String deploymentSet) throws IOException {
        return Event.of("/build-service/test", new ArtifactBuilt(put(store), put(store), deploymentSet,
                Map.of("src", random().toString()), put(store), "c2lnbmF0dXJl", random().toString(), "builder-1",
                true, false));
    }

    /** An event naming blobs nobody stored. */
    static Event<ArtifactBuilt> missing(String deploymentSet) {
        return Event.of("/build-service/test", new ArtifactBuilt(random().toString(), random().toString(),
                deploymentSet, Map.of(), random().toString(), "c2lnbmF0dXJl", random().toString(), "builder-1", true,
                false));
    }

    private static String put(BlobStore store) throws IOException {
        byte[] bytes = bytes();
        Digest digest = Digest.of(bytes);
        store.write(digest, new ByteArrayInputStream(bytes));
        return digest.toString();
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
