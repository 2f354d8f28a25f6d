package dev.slipway.release.provenance;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.flag.FlagReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/** The store as {@link ProvenanceConfig} names it: over cas-service's HTTP API, or its directory on this machine. */
final class TheStore {

    private TheStore() {
    }

    static Optional<BlobStore> blobs(ProvenanceConfig config) {
        try {
            return config.store().blobs();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the store at " + config.store().storePath().orElse(null), e);
        }
    }

    static Optional<FlagReader> flags(ProvenanceConfig config) {
        try {
            return config.store().flags();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the store at " + config.store().storePath().orElse(null), e);
        }
    }
}
