package dev.slipway.cas.chunk;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import dev.slipway.cas.digest.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Assembles a blob from its {@link ChunkIndex}: chunks found in local files (earlier versions the reader holds)
 * are copied from them, the others fetched from the store, {@link #PARALLEL} at a time ahead of the reader. The
 * stream verifies the whole blob's digest at its end, whatever the index or the local files said, and fails
 * with {@link DigestMismatchException} if the assembly is not the blob.
 */
public final class DeltaDownload {

    /** Fetches in flight ahead of the reader. */
    static final int PARALLEL = 4;
    private static final int WINDOW = 4 * PARALLEL;

    /** A file the reader holds, with its chunks (as {@link ChunkIndex#of} cut them). */
    public record Local(Path file, ChunkIndex index) {
    }

    /** Where each chunk of the wanted blob comes from, and what must be fetched. */
    public record Plan(ChunkIndex wanted, List<Piece> pieces, long bytesToFetch, int chunksToFetch) {

        /** The share of the blob's bytes that must be fetched: 0 when everything is at hand. */
        public double fetchedShare() {
            return wanted.size() == 0 ? 0 : (double) bytesToFetch / wanted.size();
        }
    }

    /** A chunk of the wanted blob: in {@code file} at {@code offset}, or (file null) fetched from the store. */
    public record Piece(ChunkIndex.Chunk chunk, Path file, long offset) {
    }

    private DeltaDownload() {
    }

    public static Plan plan(ChunkIndex wanted, List<Local> sources) {
        Map<Digest, Piece> local = new HashMap<>();
        for (Local source : sources) {
            long[] offsets = source.index().offsets();
            for (int i = 0; i < offsets.length; i++) {
                ChunkIndex.Chunk chunk = source.index().chunks().get(i);
                local.putIfAbsent(chunk.digest(), new Piece(chunk, source.file(), offsets[i]));
            }
        }
        List<Piece> pieces = new ArrayList<>(wanted.chunks().size());
        long bytes = 0;
        int chunks = 0;
        for (ChunkIndex.Chunk chunk : wanted.chunks()) {
            Piece found = local.get(chunk.digest());
            if (found != null && found.chunk().length() == chunk.length()) {
                pieces.add(found);
            } else {
                pieces.add(new Piece(chunk, null, 0));
                bytes += chunk.length();
                chunks++;
            }
        }
        return new Plan(wanted, pieces, bytes, chunks);
    }

    /** The wanted blob's bytes, verified at the end. Close it: it holds threads and files while open. */
    public static InputStream open(Plan plan, BlobStore store) {
        return VerifyingInputStream.ofUpload(new Assembly(plan, store), plan.wanted().whole());
    }

    private static final class Assembly extends InputStream {
        private final Plan plan;
        private final BlobStore store;
        private final ExecutorService fetchers;
        private final Deque<Future<byte[]>> fetches = new ArrayDeque<>();
        private final Map<Path, FileChannel> files = new HashMap<>();
        private int next;
        private int nextFetch;
        private byte[] current = new byte[0];
        private int position;

        Assembly(Plan plan, BlobStore store) {
            this.plan = plan;
            this.store = store;
            this.fetchers = Executors.newFixedThreadPool(PARALLEL, r -> {
                Thread thread = new Thread(r, "chunk-fetch");
                thread.setDaemon(true);
                return thread;
            });
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            while (position == current.length) {
                if (next == plan.pieces().size()) {
                    return -1;
                }
                current = bytesOf(plan.pieces().get(next++));
                position = 0;
            }
            int n = Math.min(length, current.length - position);
            System.arraycopy(current, position, into, offset, n);
            position += n;
            return n;
        }

        private byte[] bytesOf(Piece piece) throws IOException {
            fetchAhead();
            if (piece.file() == null) {
                return await(fetches.removeFirst());
            }
            FileChannel channel = files.get(piece.file());
            if (channel == null) {
                channel = FileChannel.open(piece.file(), StandardOpenOption.READ);
                files.put(piece.file(), channel);
            }
            ByteBuffer buffer = ByteBuffer.allocate(piece.chunk().length());
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, piece.offset() + buffer.position()) < 0) {
                    throw new IOException(piece.file() + " ends before the chunk at " + piece.offset());
                }
            }
            return buffer.array();
        }

        /** Keeps the next {@link #WINDOW} chunks to fetch requested, in order: the first is the next one needed. */
        private void fetchAhead() {
            while (fetches.size() < WINDOW && nextFetch < plan.pieces().size()) {
                Piece piece = plan.pieces().get(nextFetch++);
                if (piece.file() != null) {
                    continue;
                }
                Digest digest = piece.chunk().digest();
                fetches.addLast(fetchers.submit(() -> {
                    try (InputStream in = store.open(digest)) {
                        return in.readAllBytes();
                    }
                }));
            }
        }

        private static byte[] await(Future<byte[]> fetch) throws IOException {
            try {
                return fetch.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("stopped while fetching chunks");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("fetching a chunk failed", e.getCause());
            }
        }

        @Override
        public void close() throws IOException {
            fetchers.shutdownNow();
            for (FileChannel channel : files.values()) {
                channel.close();
            }
        }
    }
}
