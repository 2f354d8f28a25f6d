package dev.slipway.cas.service.flagging;

import dev.slipway.cas.provenance.BuilderKeys;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each deployment set's {@link Agreement}, and the keys they name: a set's builders are trusted for its
 * builds even when they are not among {@code trusted-builder-keys}.
 */
record Agreements(Agreement byDefault, Map<String, Agreement> sets, Map<String, PublicKey> keys) {

    /** One trusted build suffices everywhere: the store's behaviour before builders had to agree. */
    static final Agreements ANY_ONE = new Agreements(Agreement.ANY_ONE, Map.of(), Map.of());

    Agreements {
        sets = Map.copyOf(sets);
        keys = Map.copyOf(keys);
    }

    Agreement of(String deploymentSet) {
        return sets.getOrDefault(deploymentSet, byDefault);
    }

    static Agreements configured(FlaggingConfig.AgreementConfig config) {
        Map<String, PublicKey> keys = new HashMap<>();
        Duration deadline = config.deadline();
        List<String> defaultBuilders = config.builders().orElse(List.of());
        keys.putAll(BuilderKeys.trusted(defaultBuilders));
        Agreement byDefault = new Agreement(config.required(), BuilderKeys.trusted(defaultBuilders).keySet(), deadline);
        Map<String, Agreement> sets = new HashMap<>();
        config.sets().forEach((set, agreement) -> {
            Map<String, PublicKey> builders = BuilderKeys.trusted(agreement.builders());
            keys.putAll(builders);
            try {
                sets.put(set, new Agreement(agreement.required(), builders.keySet(), deadline));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("slipway.cas.flagging.agreement.sets." + set + ": " + e.getMessage());
            }
        });
        return new Agreements(byDefault, sets, keys);
    }
}
