package dev.slipway.cas.connection;

import dev.slipway.cas.action.ActionCache;
import dev.slipway.cas.action.ActionCacheFileSystem;
import dev.slipway.cas.action.ActionCacheHttp;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.blob.BlobStoreHttp;
import dev.slipway.cas.flag.FlagReader;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import dev.slipway.cas.flag.FlagsOverHttp;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a service finds the store: cas-service's HTTP API ({@code store-url} with a {@code store-token}), or the
 * store's directory on this machine ({@code store-path}). One configuration group for every service that reads
 * the store: each includes it in its own {@code @ConfigMapping} with {@code @WithParentName}, so the keys are
 * {@code <prefix>.store-url}, {@code .store-token} and {@code .store-path}. No framework here: SmallRye Config
 * implements the three accessors; the rest opens what they name.
 */
public interface StoreConnection {

    /** cas-service's URL, e.g. {@code https://cas.internal:8081/}: when set, the store is read over HTTP. */
    Optional<URI> storeUrl();

    /** The bearer token for {@link #storeUrl()}, with the roles the service needs. */
    Optional<String> storeToken();

    /** The store's directory, when it is on this machine and no URL is set. */
    Optional<Path> storePath();

    /** The blobs; empty when neither a URL nor a directory is set. */
    default Optional<BlobStore> blobs() throws IOException {
        if (storeUrl().isPresent()) {
            return Optional.of(new BlobStoreHttp(storeUrl().get(), Token.of(this), BlobStoreHttp.Dialect.CAS_SERVICE));
        }
        return storePath().isEmpty() ? Optional.empty() : Optional.of(new BlobStoreFileSystem(storePath().get()));
    }

    /** The flags; empty when neither a URL nor a directory is set. */
    default Optional<FlagReader> flags() throws IOException {
        if (storeUrl().isPresent()) {
            return Optional.of(new FlagsOverHttp(storeUrl().get(), Token.of(this)));
        }
        return storePath().isEmpty() ? Optional.empty() : Optional.of(new FlagStoreFileSystem(storePath().get()));
    }

    /** The action cache ({@code /ac/} over HTTP, {@code ac/} in the directory); empty when neither is set. */
    default Optional<ActionCache> actionCache() throws IOException {
        if (storeUrl().isPresent()) {
            return Optional.of(new ActionCacheHttp(storeUrl().get(), Token.of(this)));
        }
        return storePath().isEmpty() ? Optional.empty()
                : Optional.of(new ActionCacheFileSystem(storePath().get().resolve("ac")));
    }

    /** Kept out of the interface: a configuration group may declare only the properties it maps. */
    final class Token {
        private Token() {
        }

        static String of(StoreConnection connection) {
            return connection.storeToken().filter(token -> !token.isBlank()).orElseThrow(() -> new IllegalStateException(
                    "store-url is set but store-token is not: give a token of cas-service with the roles this service "
                            + "needs (docs/configuration.md)"));
        }
    }
}
