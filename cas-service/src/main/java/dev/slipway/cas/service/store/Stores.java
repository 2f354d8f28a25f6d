package dev.slipway.cas.service.store;

import dev.slipway.cas.action.ActionCache;
import dev.slipway.cas.action.ActionCacheFileSystem;
import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.flag.FlagStore;
import dev.slipway.cas.flag.FlagStoreFileSystem;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;

/** The store's backends, built once from {@link StoreConfig}. */
public final class Stores {

    @Produces
    @Singleton
    BlobStoreFileSystem blobs(StoreConfig config) throws IOException {
        return new BlobStoreFileSystem(config.path());
    }

    @Produces
    @Singleton
    FlagStore flags(StoreConfig config) throws IOException {
        return new FlagStoreFileSystem(config.path());
    }

    @Produces
    @Singleton
    ActionCache actionCache(StoreConfig config) throws IOException {
        return new ActionCacheFileSystem(config.path().resolve("ac"));
    }
}
