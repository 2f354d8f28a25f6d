package dev.slipway.cas.blob;

import dev.slipway.cas.digest.Digest;
import java.io.FileNotFoundException;

/** The store has no blob of that name. */
public final class BlobNotFoundException extends FileNotFoundException {

    private final Digest digest;

    public BlobNotFoundException(Digest digest) {
        super("no blob " + digest + " in the store; upload it first");
        this.digest = digest;
    }

    public Digest digest() {
        return digest;
    }
}
