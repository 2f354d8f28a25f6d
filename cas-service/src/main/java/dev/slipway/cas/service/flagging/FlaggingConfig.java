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

    /**
     * How many independent builders must build the same artifact from a recipe before it is flagged.
     * <pre>
     * slipway.cas.flagging.agreement.required=1                      # the default: any one trusted builder
     * slipway.cas.flagging.agreement.sets.payments-api.required=2    # per set: 2 of these 3 keys
     * slipway.cas.flagging.agreement.sets.payments-api.builders=KEY1,KEY2,KEY3
     * slipway.cas.flagging.agreement.deadline=PT30M                  # then a recipe still pending is rejected
     * </pre>
     */
    AgreementConfig agreement();

    interface AgreementConfig {
        @WithDefault("1")
        int required();

        /** Public keys (base64 X.509) whose builds count; absent: every trusted builder key. */
        Optional<List<String>> builders();

        /** How long after its first verified build a recipe may wait for the other builders. */
        @WithDefault("PT30M")
        Duration deadline();

        /** Per deployment set, replacing the default. */
        Map<String, SetAgreement> sets();

        interface SetAgreement {
            int required();

            /** Public keys (base64 X.509) of the set's builders; they are trusted for the set's builds. */
            List<String> builders();
        }
    }

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
