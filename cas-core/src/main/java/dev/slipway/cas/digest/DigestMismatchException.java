package dev.slipway.cas.digest;

import java.io.IOException;

/** Bytes offered under a digest hash to another one: a wrong name, or a body cut short or padded on the way. */
public class DigestMismatchException extends IOException {

    private final Digest expected;
    private final Digest actual;
    private final long bytes;

    public DigestMismatchException(Digest expected, Digest actual, long bytes) {
        super("bytes do not match their name: expected " + expected + ", got " + actual + " over " + bytes
                + " bytes; was the body truncated, or the digest computed over something else?");
        this.expected = expected;
        this.actual = actual;
        this.bytes = bytes;
    }

    protected DigestMismatchException(String message, Digest expected, Digest actual, long bytes) {
        super(message);
        this.expected = expected;
        this.actual = actual;
        this.bytes = bytes;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }

    public long bytes() {
        return bytes;
    }
}
