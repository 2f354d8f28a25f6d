package dev.slipway.cas.service.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/** Where cas-service keeps blobs and how big one may be. */
@ConfigMapping(prefix = "slipway.cas.store")
public interface StoreConfig {

    /** Root directory of the filesystem store (blobs under {@code v1/}, action cache under {@code ac/}). */
    @WithDefault(".slipway/cas")
    Path path();

    /** Largest blob a PUT may carry, in bytes; larger → 413. */
    @WithDefault("17179869184")
    long maxBlobSize();

    /** How often every blob is re-hashed and corrupt ones quarantined; {@code 0s} turns the schedule off. */
    @WithDefault("6h")
    Duration scrubInterval();

    /** Largest action-cache entry, in bytes; these are small protobuf messages. */
    @WithDefault("4194304")
    long maxActionCacheEntrySize();
}
