package dev.slipway.cas.blob;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A window on a verifying stream: passes bytes {@code [offset, offset + length)} and reads the rest of the
 * underlying stream to its end before reporting end of stream, so the whole blob is verified.
 */
final class RangeInputStream extends FilterInputStream {

    private long toSkip;
    private long remaining;

    RangeInputStream(InputStream verifying, long offset, long length) {
        super(verifying);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("a range needs offset >= 0 and length >= 0, not " + offset + "+" + length);
        }
        this.toSkip = offset;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        while (toSkip > 0) {
            long skipped = in.skip(toSkip);
            if (skipped <= 0) {
                toSkip = 0;
                remaining = 0;
            }
            toSkip -= Math.max(skipped, 0);
        }
        if (remaining == 0) {
            drain();
            return -1;
        }
        int n = in.read(buffer, offset, (int) Math.min(length, remaining));
        if (n < 0) {
            remaining = 0;
            return -1;
        }
        remaining -= n;
        return n;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void drain() throws IOException {
        byte[] scratch = new byte[64 * 1024];
        while (in.read(scratch) >= 0) {
            // Hashing the tail is the point: the verifying stream checks the whole blob at its end.
        }
    }
}
