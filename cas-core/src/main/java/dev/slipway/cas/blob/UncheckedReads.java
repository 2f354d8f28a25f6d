package dev.slipway.cas.blob;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Carries a body stream's own failure (a digest mismatch, above all) through the HTTP client, which would
 * otherwise report only that the request body failed. {@link #cause} recovers it.
 */
final class UncheckedReads extends FilterInputStream {

    /** Marks an exception raised by the body stream itself. */
    private static final class BodyFailure extends IOException {
        BodyFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    UncheckedReads(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return in.read();
        } catch (IOException e) {
            throw new BodyFailure(e);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            return in.read(buffer, offset, length);
        } catch (IOException e) {
            throw new BodyFailure(e);
        }
    }

    /** The body stream's exception if it caused {@code failure}, else {@code failure} itself. */
    static IOException cause(IOException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BodyFailure body) {
                return (IOException) body.getCause();
            }
        }
        return failure;
    }
}
