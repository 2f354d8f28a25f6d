package dev.slipway.build;

import dev.slipway.cas.connection.StoreConnection;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** How build-service builds: where, with what sandbox and key, how many at once. */
@ConfigMapping(prefix = "slipway.build")
public interface BuildConfig {

    /** Off for an instance that should not take builds (a health check only). */
    @WithDefault("true")
    boolean enabled();

    /** The builder's id in provenance and events; unique per builder instance. */
    @WithDefault("build-service-1")
    String builderId();

    @WithDefault("build-service")
    String consumerGroup();

    /** Builds at once: one Kafka consumer each, so at most the partition count of slipway.builds (8). */
    @WithDefault("2")
    int concurrency();

    /** Where each build gets its own directory, deleted when it ends. */
    @WithDefault(".slipway/build")
    Path workDir();

    /**
     * The store blobs and the action cache live in: cas-service's URL with a token of roles reader and builder
     * ({@code store-url}, {@code store-token}), or the filesystem store shared with cas-service ({@code store-path},
     * {@code .slipway/cas} by default, in application.properties).
     */
    @WithParentName
    StoreConnection store();

    /**
     * {@code bubblewrap} (the default: no build runs without it), or {@code none}: no isolation, every build
     * marked {@code hermetic: false}. Only for machines where bubblewrap cannot run.
     */
    @WithDefault("bubblewrap")
    String sandbox();

    /** The bubblewrap binary; without it builds fail with a message naming it. */
    @WithDefault("/usr/bin/bwrap")
    Path bwrap();

    @WithDefault("true")
    boolean actionCache();

    /**
     * The longest a build's steps may take together: the builder fails a build past it (its steps' own timeouts
     * notwithstanding), before the broker would hand the request to another builder.
     */
    @WithDefault("1h")
    Duration maxBuildTime();

    /** What each step may use (see StepLimits); a step past a limit fails its build with the limit's name. */
    Limits limits();

    interface Limits {
        /** Bytes each process of a step may allocate. */
        @WithDefault("8589934592")
        long memoryBytes();

        /** Processes and threads a step may run at once. */
        @WithDefault("1024")
        int processes();

        /** Size of a step's /tmp. */
        @WithDefault("1073741824")
        long tmpBytes();

        /** What /work may hold. */
        @WithDefault("17179869184")
        long workBytes();

        /** What a step may write to the build log. */
        @WithDefault("67108864")
        long logBytes();
    }

    /** Largest total an input archive may unpack to, in bytes. */
    @WithDefault("17179869184")
    long maxInputSize();

    Signing signing();

    /** The Ed25519 key that signs provenance, base64 (PKCS#8 private, X.509 public). */
    interface Signing {
        Optional<String> privateKey();

        Optional<String> publicKey();

        /** Used when no key is configured: a key pair is created here on first start and kept. */
        @WithDefault(".slipway/build-key")
        Path keyDir();
    }
}
