package dev.slipway.cas.service.flagging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How cas-service turns verified builds into flags.
 * <pre>
 * slipway.cas.flagging.auto-flag.default=staging                 # every set: staging is automatic
 * slipway.cas.flagging.auto-flag.sets.payments-api=staging,canary # per set, replacing the default
 * </pre>
 * Channels not named here (production, typically) need an operator's {@code PromoteRequested}.
 */
@ConfigMapping(prefix = "slipway.cas.flagging")
public interface FlaggingConfig {

    /** Off for a cas-service instance that only serves blobs. */
    @WithDefault("true")
    boolean enabled();

    @WithDefault("cas-service")
    String consumerGroup();

    /**
     * Unique per running instance: the broker fences an older instance that comes back with the same id, so
     * two instances never both commit.
     */
    @WithDefault("cas-service-1")
    String transactionalId();

    AutoFlag autoFlag();

    /**
     * Public keys (base64 X.509, as build-service logs them) of the builders whose provenance is trusted. A build
     * signed by none of them is rejected; with none configured, every build is.
     */
    Optional<List<String>> trustedBuilderKeys();

    interface AutoFlag {
        @WithDefault("staging")
        List<String> defaultChannels();

        Map<String, List<String>> sets();
    }
}
