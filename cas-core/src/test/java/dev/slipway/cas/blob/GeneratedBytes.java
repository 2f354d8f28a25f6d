package dev.slipway.cas.blob;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** A large, deterministic blob as a stream, so tests never hold it in memory. */
final class GeneratedBytes extends InputStream {

    private final SplittableRandom random;
    private long remaining;

    GeneratedBytes(long seed, long size) {
        this.random = new SplittableRandom(seed);
        this.remaining = size;
    }

    static Digest digestOf(long seed, long size) {
        MessageDigest sha256 = Digest.sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = new GeneratedBytes(seed, size)) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sha256.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Digest(HexFormat.of().formatHex(sha256.digest()));
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (remaining == 0) {
            return -1;
        }
        int n = (int) Math.min(length, remaining);
        for (int i = 0; i < n; i++) {
            buffer[offset + i] = (byte) random.nextInt(256);
        }
        remaining -= n;
        return n;
    }
}
