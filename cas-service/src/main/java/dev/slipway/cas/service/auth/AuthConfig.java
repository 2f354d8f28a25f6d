package dev.slipway.cas.service.auth;

import io.smallrye.config.ConfigMapping;
import java.util.Map;
import java.util.Set;

/**
 * Bearer tokens, by a name that appears in logs and errors (never the secret):
 * <pre>
 * slipway.cas.auth.tokens.ci.secret=...
 * slipway.cas.auth.tokens.ci.roles=reader,builder
 * </pre>
 * With no token configured, everything but {@code /q/health} is refused.
 */
@ConfigMapping(prefix = "slipway.cas.auth")
public interface AuthConfig {

    Map<String, Token> tokens();

    interface Token {
        String secret();

        Set<Role> roles();
    }
}
