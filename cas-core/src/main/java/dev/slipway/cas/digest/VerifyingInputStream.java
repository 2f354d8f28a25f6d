package dev.slipway.cas.digest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Hashes every byte that passes and, at end of stream, fails the read unless the bytes hash to the expected
 * digest. A reader that consumes to the end has either every byte of the named blob or an exception; nothing
 * in between. {@link #skip} hashes what it skips, so partial reads stay verifiable.
 */
public final class VerifyingInputStream extends FilterInputStream {

    /** What a mismatch means where the bytes came from. */
    @FunctionalInterface
    public interface Mismatch {
        IOException exception(Digest expected, Digest actual, long bytes);
    }

    private final Digest expected;
    private final Mismatch mismatch;
    private final MessageDigest sha256 = Digest.sha256();
    private long count;
    private boolean verified;

    private VerifyingInputStream(InputStream in, Digest expected, Mismatch mismatch) {
        super(in);
        this.expected = expected;
        this.mismatch = mismatch;
    }

    /** For bytes someone offers under a name: a mismatch is their error ({@link DigestMismatchException}). */
    public static VerifyingInputStream ofUpload(InputStream in, Digest expected) {
        return new VerifyingInputStream(in, expected, DigestMismatchException::new);
    }

    /** For bytes read back from storage: a mismatch is damage at rest ({@link CorruptBlobException}). */
    public static VerifyingInputStream ofStored(InputStream in, Digest expected, String where) {
        return new VerifyingInputStream(in, expected, (e, a, n) -> new CorruptBlobException(e, a, n, where));
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            verify();
        } else {
            sha256.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n < 0) {
            verify();
        } else {
            sha256.update(buffer, offset, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(n, 64 * 1024)];
        long skipped = 0;
        while (skipped < n) {
            int read = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (read < 0) {
                break;
            }
            skipped += read;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** How many bytes have passed so far. */
    public long count() {
        return count;
    }

    private void verify() throws IOException {
        if (verified) {
            return;
        }
        verified = true;
        Digest actual = new Digest(HexFormat.of().formatHex(sha256.digest()));
        if (!actual.equals(expected)) {
            throw mismatch.exception(expected, actual, count);
        }
    }
}
