package dev.slipway.cas.blob;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Blobs named by the SHA-256 of their bytes. Every backend verifies both ways: a write stores nothing unless
 * the bytes hash to the name they are offered under, and a read fails with
 * {@link dev.slipway.cas.digest.CorruptBlobException} rather than return bytes that no longer do.
 *
 * <p>Implementations are thread-safe and do blocking I/O: call them from worker threads, never the Vert.x
 * event loop.
 */
public interface BlobStore {

    /** The blob's size in bytes, or empty when the store does not have it. */
    OptionalLong size(Digest digest) throws IOException;

    default boolean exists(Digest digest) throws IOException {
        return size(digest).isPresent();
    }

    /**
     * The blob's bytes. The stream verifies them: reading to its end either completes or throws
     * {@link dev.slipway.cas.digest.CorruptBlobException}.
     *
     * @throws BlobNotFoundException when the store does not have it
     */
    InputStream open(Digest digest) throws IOException;

    /**
     * {@code length} bytes from {@code offset} (fewer at the end of the blob). The whole blob is still read and
     * hashed, and the stream fails at its end if the blob is corrupt: a range is never served from a damaged
     * blob, at the cost of reading what lies outside it.
     *
     * @throws BlobNotFoundException when the store does not have it
     */
    default InputStream open(Digest digest, long offset, long length) throws IOException {
        return new RangeInputStream(open(digest), offset, length);
    }

    /**
     * Up to {@code length} bytes from {@code offset} (fewer at the end of the blob), <em>unverified</em>: for a
     * caller that checks them against a digest of its own, a chunk's from a
     * {@link dev.slipway.cas.chunk.ChunkIndex}, so that a range costs its own bytes rather than the whole blob's.
     * The default reads through {@link #open(Digest, long, long)}, verified and whole; stores that can read a
     * range alone do.
     *
     * @throws BlobNotFoundException when the store does not have it
     */
    default byte[] readRange(Digest digest, long offset, int length) throws IOException {
        try (InputStream in = open(digest, offset, length)) {
            byte[] bytes = in.readNBytes(length);
            in.transferTo(OutputStream.nullOutputStream());
            return bytes;
        }
    }

    /**
     * The file that holds the blob's bytes, for stores that keep each blob whole in a local file, so a server can
     * hand it to the kernel (sendfile) instead of copying it through the heap; empty for other stores. The file
     * may not exist. Whoever sends it without hashing it relies on the scrubber to quarantine a blob damaged at
     * rest.
     */
    default Optional<Path> file(Digest digest) {
        return Optional.empty();
    }

    /**
     * Stores {@code bytes} under {@code expected}, streaming (never the whole blob in memory). A write that
     * fails part way leaves nothing behind; concurrent writes of the same blob are safe.
     *
     * @return true when the blob was stored now, false when the store already had it
     * @throws dev.slipway.cas.digest.DigestMismatchException when the bytes do not hash to {@code expected};
     *         nothing is stored
     */
    boolean write(Digest expected, InputStream bytes) throws IOException;

    /** Every digest the store holds, in no particular order. Close the stream. */
    Stream<Digest> list() throws IOException;

    /** Removes the blob (garbage collection); true when it was there. */
    boolean delete(Digest digest) throws IOException;

    /**
     * Takes a blob found corrupt out of service, so it is never served again; writing it anew repairs the
     * store. Backends that can keep the damaged bytes for inspection do so; the default deletes them.
     */
    default void quarantine(Digest digest) throws IOException {
        delete(digest);
    }
}
