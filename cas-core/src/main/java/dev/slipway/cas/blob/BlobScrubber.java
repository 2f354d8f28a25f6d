package dev.slipway.cas.blob;

import dev.slipway.cas.digest.CorruptBlobException;
import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Re-hashes every stored blob and quarantines the ones whose bytes no longer match their name. Blobs are
 * verified when written; this finds what went bad at rest (disk errors, hands on the files) so that a store
 * serving zero-copy never keeps serving damage it could know about. Blocking: run it on its own thread.
 */
public final class BlobScrubber {

    /** What one pass found. */
    public record Report(long blobs, long bytes, List<Digest> quarantined, Duration took) {
    }

    private final BlobStore store;

    public BlobScrubber(BlobStore store) {
        this.store = store;
    }

    public Report scrub() throws IOException {
        long started = System.nanoTime();
        long blobs = 0;
        long bytes = 0;
        List<Digest> quarantined = new ArrayList<>();
        List<Digest> digests;
        try (Stream<Digest> listed = store.list()) {
            digests = listed.toList();
        }
        for (Digest digest : digests) {
            try (InputStream in = store.open(digest)) {
                bytes += in.transferTo(OutputStream.nullOutputStream());
                blobs++;
            } catch (CorruptBlobException corrupt) {
                store.quarantine(digest);
                quarantined.add(digest);
            } catch (BlobNotFoundException deletedMeanwhile) {
                // Garbage-collected during the pass: nothing to check.
            }
        }
        return new Report(blobs, bytes, List.copyOf(quarantined), Duration.ofNanos(System.nanoTime() - started));
    }
}
