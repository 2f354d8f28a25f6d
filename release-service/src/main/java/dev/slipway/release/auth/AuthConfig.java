package dev.slipway.release.auth;

import io.smallrye.config.ConfigMapping;
import java.util.Map;
import java.util.Set;

/**
 * Bearer tokens, by a name that is recorded as who sent a command (never the secret):
 * <pre>
 * slipway.release.auth.tokens.alice.secret=...
 * slipway.release.auth.tokens.alice.roles=viewer,operator
 * </pre>
 * With no token configured, the API answers nothing but 401; the console page and {@code /q/*} stay open.
 */
@ConfigMapping(prefix = "slipway.release.auth")
public interface AuthConfig {

    Map<String, Token> tokens();

    interface Token {
        String secret();

        Set<Role> roles();
    }
}
