package dev.slipway.cas.service.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Where cas-service keeps blobs and how big one may be. */
@ConfigMapping(prefix = "slipway.cas.store")
public interface StoreConfig {

    /** {@code filesystem} (under {@link #path()}) or {@code s3} (see {@link #s3()}). */
    @WithDefault("filesystem")
    String backend();

    S3 s3();

    /** A bucket on AWS S3 or any S3-compatible server; credentials from these keys or AWS's default chain. */
    interface S3 {
        Optional<String> bucket();

        /** Absent, or ending in {@code /}, so several stores can share a bucket. */
        Optional<String> prefix();

        @WithDefault("us-east-1")
        String region();

        /** For S3-compatible servers; AWS's own endpoints otherwise. */
        Optional<URI> endpoint();

        @WithDefault("false")
        boolean pathStyle();

        Optional<String> accessKeyId();

        Optional<String> secretAccessKey();
    }

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
