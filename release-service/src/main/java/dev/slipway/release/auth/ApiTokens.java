package dev.slipway.release.auth;

import dev.slipway.cas.auth.BearerTokens;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/** The API's bearer tokens ({@code slipway.release.auth.tokens}), for {@link TokenFilter}; see {@link Role#grants}. */
@Singleton
public class ApiTokens {

    private static final Logger LOG = Logger.getLogger(ApiTokens.class);

    @Produces
    @Singleton
    BearerTokens<Role> tokens(AuthConfig config) {
        Map<String, BearerTokens.Token<Role>> tokens = new LinkedHashMap<>();
        config.tokens().forEach((name, token) -> tokens.put(name, new BearerTokens.Token<>(token.secret(), token.roles())));
        return new BearerTokens<>(tokens, Role::grants, "slipway.release.auth.tokens");
    }

    void warnWhenNoTokens(@Observes StartupEvent started, BearerTokens<Role> tokens) {
        if (tokens.none()) {
            LOG.warn("No tokens configured (slipway.release.auth.tokens.<name>.secret and .roles): every API request "
                    + "will be refused with 401");
        }
    }
}
