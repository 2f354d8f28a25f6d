package dev.slipway.release.provenance;

import dev.slipway.cas.connection.StoreConnection;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;
import java.util.List;
import java.util.Optional;

/**
 * {@code slipway.release.provenance.*}: where the release service reads signed provenance from, and whom it
 * trusts. Without a store it still shows every digest; it just cannot open and check the statements.
 */
@ConfigMapping(prefix = "slipway.release.provenance")
public interface ProvenanceConfig {

    /** cas-service's URL with a reader token, or the store's directory: {@code store-url}, {@code store-token}, {@code store-path}. */
    @WithParentName
    StoreConnection store();

    /** Builders' public keys (base64 X.509). */
    Optional<List<String>> trustedBuilderKeys();
}
