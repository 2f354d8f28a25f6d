package dev.slipway.release.provenance;

import io.smallrye.config.ConfigMapping;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code slipway.release.provenance.*}: where the release service reads signed provenance from, and whom it
 * trusts. Without a store it still shows every digest; it just cannot open and check the statements.
 */
@ConfigMapping(prefix = "slipway.release.provenance")
public interface ProvenanceConfig {

    /** cas-service's URL (with a reader token), or ... */
    Optional<URI> storeUrl();

    Optional<String> storeToken();

    /** ... the store's directory, when it is on this machine. */
    Optional<Path> storePath();

    /** Builders' public keys (base64 X.509). */
    Optional<List<String>> trustedBuilderKeys();
}
