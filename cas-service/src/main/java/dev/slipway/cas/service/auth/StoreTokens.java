package dev.slipway.cas.service.auth;

import dev.slipway.cas.auth.BearerTokens;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/** The store's bearer tokens ({@code slipway.cas.auth.tokens}), for {@link Guard}: a role grants only itself. */
@Singleton
public class StoreTokens {

    private static final Logger LOG = Logger.getLogger(StoreTokens.class);

    @Produces
    @Singleton
    BearerTokens<Role> tokens(AuthConfig config) {
        Map<String, BearerTokens.Token<Role>> tokens = new LinkedHashMap<>();
        config.tokens().forEach((name, token) -> tokens.put(name, new BearerTokens.Token<>(token.secret(), token.roles())));
        return new BearerTokens<>(tokens, (has, needed) -> has == needed, "slipway.cas.auth.tokens");
    }

    void warnWhenNoTokens(@Observes StartupEvent started, BearerTokens<Role> tokens) {
        if (tokens.none()) {
            LOG.warn("No tokens configured (slipway.cas.auth.tokens.<name>.secret and .roles): every blob and flag "
                    + "request will be refused with 401");
        }
    }
}
