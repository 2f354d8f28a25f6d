package dev.slipway.cas.digest;

/**
 * A stored blob whose bytes no longer hash to its name: damaged at rest. Never served as good; the store
 * should quarantine it, and a writer can store it again.
 */
public final class CorruptBlobException extends DigestMismatchException {

    public CorruptBlobException(Digest expected, Digest actual, long bytes, String where) {
        super("stored blob " + expected + " at " + where + " is corrupt: its " + bytes + " bytes hash to " + actual
                + "; upload it again to repair the store", expected, actual, bytes);
    }
}
