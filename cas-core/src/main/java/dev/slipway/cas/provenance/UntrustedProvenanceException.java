package dev.slipway.cas.provenance;

/** Provenance that does not verify: bad envelope, no trusted signature, or a statement about other content. */
public final class UntrustedProvenanceException extends Exception {

    public UntrustedProvenanceException(String message) {
        super(message);
    }
}
