package dev.slipway.cas.chunk;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Content-defined chunking (FastCDC, Xia et al. 2016, with normalized chunking at level 2): a cut falls where a
 * rolling gear hash of the last bytes matches a mask, so an edit moves the cuts only near itself and the chunks
 * around it keep their bytes, and their digests, from one version of an artifact to the next.
 *
 * <p>Chunks are read as ranges of the blob, several neighbours in one read, so their number costs only index
 * entries; they are smaller than casync's (64 KiB), which stores each as an object: a change costs the chunks
 * around it, and smaller ones serve scattered changes better (ADR 0011).
 *
 * <p>The parameters and the gear table are part of the index format: two parties that chunk the same bytes
 * must cut them at the same places, so both are fixed here ({@link #NAME}), and the table is derived from
 * SHA-256 rather than a library's random generator.
 */
public final class Chunker {

    /** What {@link ChunkIndex} records, so an index made with other cuts is never mixed with these. */
    public static final String NAME = "fastcdc/4096/16384/65536";
    public static final int MIN = 4 * 1024;
    public static final int AVERAGE = 16 * 1024;
    public static final int MAX = 64 * 1024;

    private static final long[] GEAR = gear();
    private static final int BITS = Integer.numberOfTrailingZeros(AVERAGE);
    // Stricter before the average size, looser after it: sizes gather around the average (normalized chunking).
    private static final long MASK_SMALL = topBits(BITS + 2);
    private static final long MASK_LARGE = topBits(BITS - 2);

    /** Receives each chunk's bytes, in order; the array is reused after the call returns. */
    @FunctionalInterface
    public interface Sink {
        void chunk(byte[] bytes, int offset, int length) throws IOException;
    }

    private Chunker() {
    }

    /** Cuts the stream, to its end, into chunks of {@link #MIN} to {@link #MAX} bytes (the last may be shorter). */
    public static void split(InputStream in, Sink sink) throws IOException {
        byte[] buffer = new byte[2 * MAX];
        int start = 0;
        int end = 0;
        boolean eof = false;
        while (true) {
            if (!eof && end - start < MAX) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
                while (end < buffer.length) {
                    int n = in.read(buffer, end, buffer.length - end);
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    end += n;
                }
            }
            if (start == end) {
                return;
            }
            int length = cut(buffer, start, end - start);
            sink.chunk(buffer, start, length);
            start += length;
        }
    }

    /** The length of the chunk that starts at {@code offset}, given {@code available} bytes from there. */
    static int cut(byte[] bytes, int offset, int available) {
        if (available <= MIN) {
            return available;
        }
        int limit = Math.min(available, MAX);
        int normal = Math.min(AVERAGE, limit);
        long hash = 0;
        int i = MIN;
        for (; i < normal; i++) {
            hash = (hash << 1) + GEAR[bytes[offset + i] & 0xff];
            if ((hash & MASK_SMALL) == 0) {
                return i + 1;
            }
        }
        for (; i < limit; i++) {
            hash = (hash << 1) + GEAR[bytes[offset + i] & 0xff];
            if ((hash & MASK_LARGE) == 0) {
                return i + 1;
            }
        }
        return limit;
    }

    private static long topBits(int count) {
        return -1L << (Long.SIZE - count);
    }

    private static long[] gear() {
        long[] table = new long[256];
        for (int i = 0; i < table.length; i++) {
            table[i] = ByteBuffer.wrap(Digest.sha256().digest(("slipway-fastcdc-gear-" + i).getBytes(UTF_8))).getLong();
        }
        return table;
    }
}
