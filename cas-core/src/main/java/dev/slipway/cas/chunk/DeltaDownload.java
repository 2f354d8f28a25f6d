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
 * are copied from them; the others are read as ranges of the blob itself, neighbours joined into one range of
 * at most {@link #MAX_RANGE} bytes, {@link #PARALLEL} ranges in flight ahead of the reader. Each fetched chunk
 * must hash to its index entry, and the stream verifies the whole blob's digest at its end, whatever the index
 * or the local files said: it fails with {@link DigestMismatchException} if the assembly is not the blob.
 */
public final class DeltaDownload {

    static final int PARALLEL = 4;
    static final int MAX_RANGE = 4 * 1024 * 1024;

    /** A file the reader holds, with its chunks (as {@link ChunkIndex#of} cut them). */
    public record Local(Path file, ChunkIndex index) {
    }

    /** Where each part of the wanted blob comes from, and what must be fetched. */
    public record Plan(ChunkIndex wanted, List<Part> parts, long bytesToFetch, int ranges) {

        /** The share of the blob's bytes that must be fetched: 0 when everything is at hand. */
        public double fetchedShare() {
            return wanted.size() == 0 ? 0 : (double) bytesToFetch / wanted.size();
        }
    }

    /** A stretch of the wanted blob. */
    public sealed interface Part {
        /** A chunk held locally, in {@code file} at {@code offset}. */
        record Copied(ChunkIndex.Chunk chunk, Path file, long offset) implements Part {
        }

        /** Neighbouring chunks read from the store as one range of the blob, from {@code offset}. */
        record Fetched(List<ChunkIndex.Chunk> chunks, long offset, int length) implements Part {
        }
    }

    private DeltaDownload() {
    }

    public static Plan plan(ChunkIndex wanted, List<Local> sources) {
        Map<ChunkIndex.Chunk, Part.Copied> local = new HashMap<>();
        for (Local source : sources) {
            long[] offsets = source.index().offsets();
            for (int i = 0; i < offsets.length; i++) {
                ChunkIndex.Chunk chunk = source.index().chunks().get(i);
                local.putIfAbsent(chunk, new Part.Copied(chunk, source.file(), offsets[i]));
            }
        }
        List<Part> parts = new ArrayList<>();
        List<ChunkIndex.Chunk> run = new ArrayList<>();
        long runOffset = 0;
        int runLength = 0;
        long bytes = 0;
        int ranges = 0;
        long at = 0;
        for (ChunkIndex.Chunk chunk : wanted.chunks()) {
            Part.Copied found = local.get(chunk);
            if (found != null || runLength + chunk.length() > MAX_RANGE) {
                if (!run.isEmpty()) {
                    parts.add(new Part.Fetched(List.copyOf(run), runOffset, runLength));
                    ranges++;
                    run.clear();
                    runLength = 0;
                }
            }
            if (found != null) {
                parts.add(found);
            } else {
                if (run.isEmpty()) {
                    runOffset = at;
                }
                run.add(chunk);
                runLength += chunk.length();
                bytes += chunk.length();
            }
            at += chunk.length();
        }
        if (!run.isEmpty()) {
            parts.add(new Part.Fetched(List.copyOf(run), runOffset, runLength));
            ranges++;
        }
        return new Plan(wanted, parts, bytes, ranges);
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
                if (next == plan.parts().size()) {
                    return -1;
                }
                current = bytesOf(plan.parts().get(next++));
                position = 0;
            }
            int n = Math.min(length, current.length - position);
            System.arraycopy(current, position, into, offset, n);
            position += n;
            return n;
        }

        private byte[] bytesOf(Part part) throws IOException {
            fetchAhead();
            return part instanceof Part.Copied copied ? copy(copied) : await(fetches.removeFirst());
        }

        private byte[] copy(Part.Copied part) throws IOException {
            FileChannel channel = files.get(part.file());
            if (channel == null) {
                channel = FileChannel.open(part.file(), StandardOpenOption.READ);
                files.put(part.file(), channel);
            }
            ByteBuffer buffer = ByteBuffer.allocate(part.chunk().length());
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, part.offset() + buffer.position()) < 0) {
                    throw new IOException(part.file() + " ends before its chunk at " + part.offset());
                }
            }
            return buffer.array();
        }

        /** Keeps the next {@link #PARALLEL} ranges requested, in order: the first is the next one needed. */
        private void fetchAhead() {
            while (fetches.size() < PARALLEL && nextFetch < plan.parts().size()) {
                if (plan.parts().get(nextFetch++) instanceof Part.Fetched range) {
                    fetches.addLast(fetchers.submit(() -> fetch(range)));
                }
            }
        }

        private byte[] fetch(Part.Fetched range) throws IOException {
            Digest whole = plan.wanted().whole();
            byte[] bytes = store.readRange(whole, range.offset(), range.length());
            int at = 0;
            for (ChunkIndex.Chunk chunk : range.chunks()) {
                if (at + chunk.length() > bytes.length) {
                    throw new IOException("the store's " + whole + " ends before " + (range.offset() + at
                            + chunk.length()) + ", inside a chunk its index names");
                }
                Digest actual = Digest.of(bytes, at, chunk.length());
                if (!chunk.digest().equals(actual)) {
                    throw new IOException("the store's " + whole + " at " + (range.offset() + at) + ": "
                            + chunk.length() + " bytes hash to " + actual + ", not to the chunk " + chunk.digest()
                            + " its index names (a damaged blob, or a wrong index)");
                }
                at += chunk.length();
            }
            return bytes;
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
