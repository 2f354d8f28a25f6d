package dev.slipway.release.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/** Decides whether an {@code Authorization} header grants a role. Pure and thread-safe. */
@Singleton
public class Tokens {

    /** Granted to the named token, or refused with the HTTP status and a message that says what to fix. */
    public record Decision(String tokenName, int status, String message) {
        public boolean granted() {
            return tokenName != null;
        }
    }

    private static final Logger LOG = Logger.getLogger(Tokens.class);
    private static final String SCHEME = "Bearer ";

    private final AuthConfig config;

    public Tokens(AuthConfig config) {
        this.config = config;
    }

    void warnWhenNoTokens(@Observes StartupEvent started) {
        if (config.tokens().isEmpty()) {
            LOG.warn("No tokens configured (slipway.release.auth.tokens.<name>.secret and .roles): every API request "
                    + "will be refused with 401");
        }
    }

    public Decision decide(String authorization, Role needed, String action) {
        if (authorization == null || !authorization.startsWith(SCHEME)) {
            return new Decision(null, 401, "missing bearer token: send 'Authorization: Bearer <token>' with a token "
                    + "that has the " + role(needed) + " role to " + action);
        }
        byte[] offered = authorization.substring(SCHEME.length()).trim().getBytes(UTF_8);
        for (Map.Entry<String, AuthConfig.Token> token : config.tokens().entrySet()) {
            // Constant-time comparison: the response time must not tell how much of a guess was right.
            if (MessageDigest.isEqual(offered, token.getValue().secret().getBytes(UTF_8))) {
                return token.getValue().roles().stream().anyMatch(role -> role.grants(needed))
                        ? new Decision(token.getKey(), 200, "")
                        : new Decision(null, 403, "token '" + token.getKey() + "' lacks the " + role(needed)
                                + " role needed to " + action + "; it has " + token.getValue().roles());
            }
        }
        return new Decision(null, 401, "bearer token not recognised: check slipway.release.auth.tokens on the server");
    }

    private static String role(Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
