package dev.slipway.release.provenance;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.blob.BlobStoreHttp;
import dev.slipway.cas.flag.FlagReader;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.flag.FlagsOverHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/** The store as {@link ProvenanceConfig} names it: over cas-service's HTTP API, or its directory on this machine. */
final class TheStore {

    private TheStore() {
    }

    static Optional<BlobStore> blobs(ProvenanceConfig config) {
        return config.storeUrl().<BlobStore>map(url -> new BlobStoreHttp(url, config.storeToken().orElse(""),
                BlobStoreHttp.Dialect.CAS_SERVICE)).or(() -> config.storePath().map(directory -> opened(
                        () -> new BlobStoreFileSystem(directory), directory)));
    }

    static Optional<FlagReader> flags(ProvenanceConfig config) {
        return config.storeUrl().<FlagReader>map(url -> new FlagsOverHttp(url, config.storeToken().orElse("")))
                .or(() -> config.storePath().map(directory -> opened(() -> new FlagStoreFileSystem(directory),
                        directory)));
    }

    private interface Opening<T> {
        T open() throws IOException;
    }

    private static <T> T opened(Opening<T> opening, Path directory) {
        try {
            return opening.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the store at " + directory, e);
        }
    }
}
