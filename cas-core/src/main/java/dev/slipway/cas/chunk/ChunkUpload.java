package dev.slipway.cas.chunk;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Stores a blob's chunks and its {@link ChunkIndex} beside it, so that a reader holding an earlier version can
 * fetch only the chunks it lacks. Only chunks the store does not have are sent; a chunk that is the whole blob
 * (anything up to {@link Chunker#MIN} bytes, and many more) is the blob itself and costs nothing.
 *
 * <p>Each chunk is a durable write of its own in most stores, so they go {@link #PARALLEL} at a time. Blocking
 * I/O: call from a worker thread.
 */
public final class ChunkUpload {

    /** Writes in flight at once; also bounds the copies held in memory to this many {@link Chunker#MAX}. */
    static final int PARALLEL = 4;

    private ChunkUpload() {
    }

    /**
     * Chunks the file, stores what the store lacks, then the index.
     *
     * @return the index, whose {@link ChunkIndex#whole()} the caller checks against the digest it stored the file
     *         under
     */
    public static Published publish(BlobStore store, Path file) throws IOException {
        ExecutorService writers = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread thread = new Thread(r, "chunk-upload");
            thread.setDaemon(true);
            return thread;
        });
        Deque<Future<Long>> inFlight = new ArrayDeque<>();
        long[] sent = {0};
        try (InputStream in = Files.newInputStream(file)) {
            ChunkIndex index = ChunkIndex.of(in, (chunk, bytes, offset) -> {
                byte[] copy = Arrays.copyOfRange(bytes, offset, offset + chunk.length());
                if (inFlight.size() == PARALLEL) {
                    sent[0] += await(inFlight.removeFirst());
                }
                inFlight.addLast(writers.submit(() -> storeMissing(store, chunk.digest(), copy)));
            });
            while (!inFlight.isEmpty()) {
                sent[0] += await(inFlight.removeFirst());
            }
            byte[] encoded = index.encode();
            Digest digest = Digest.of(encoded);
            store.write(digest, new ByteArrayInputStream(encoded));
            return new Published(digest, index, sent[0]);
        } finally {
            writers.shutdownNow();
        }
    }

    /** What {@link #publish} stored: the index's digest, the index, and the chunk bytes it had to send. */
    public record Published(Digest indexDigest, ChunkIndex index, long bytesSent) {
    }

    private static long storeMissing(BlobStore store, Digest digest, byte[] chunk) throws IOException {
        if (store.exists(digest)) {
            return 0;
        }
        store.write(digest, new ByteArrayInputStream(chunk));
        return chunk.length;
    }

    private static long await(Future<Long> write) throws IOException {
        try {
            return write.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("stopped while storing chunks");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException("storing a chunk failed", e.getCause());
        }
    }
}
