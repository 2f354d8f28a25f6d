package dev.slipway.cas.service.flagging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
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

    /** The store's release key, which signs each set's channel state: what agents act on. */
    Release release();

    interface Release {
        /**
         * Base64 PKCS#8 Ed25519, never a builder's key. Without it flags are kept but nothing is released: no
         * channel state is signed, and agents install nothing new.
         */
        Optional<String> privateKey();

        /** Its public half (base64 X.509), what agents trust as {@code slipway.agent.trusted-release-keys}. */
        Optional<String> publicKey();

        /** Release keys rotated out, whose stored states are still read and then signed with the new key. */
        Optional<List<String>> previousPublicKeys();

        /** How long a signed state is valid: how long a host keeps trusting it if no newer one reaches it. */
        @WithDefault("P1D")
        Duration validity();

        /** How often each state is signed again, unchanged, to extend it; well under {@link #validity}. */
        @WithDefault("PT1H")
        Duration renewEvery();
    }

    interface AutoFlag {
        @WithDefault("staging")
        List<String> defaultChannels();

        Map<String, List<String>> sets();
    }
}
