package dev.slipway.cas.service.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/** Decides whether an {@code Authorization} header grants a role. Pure and thread-safe; cheap on the event loop. */
@Singleton
public final class BearerTokens {

    private static final Logger LOG = Logger.getLogger(BearerTokens.class);
    private static final String SCHEME = "Bearer ";

    /**
     * The outcome: granted to the named token, or refused with the HTTP status and a message that says what
     * to fix (and a null token name).
     */
    public record Decision(boolean granted, int status, String message, String tokenName) {
        static Decision refused(int status, String message) {
            return new Decision(false, status, message, null);
        }
    }

    private final AuthConfig config;

    public BearerTokens(AuthConfig config) {
        this.config = config;
    }

    void warnWhenNoTokens(@Observes StartupEvent started) {
        if (config.tokens().isEmpty()) {
            LOG.warn("No tokens configured (slipway.cas.auth.tokens.<name>.secret and .roles): every blob and flag "
                    + "request will be refused with 401");
        }
    }

    /**
     * @param authorization the request's {@code Authorization} header, possibly null
     * @param action        what the request wants to do, for the message (e.g. "PUT blobs")
     */
    public Decision decide(String authorization, Role needed, String action) {
        if (authorization == null || !authorization.startsWith(SCHEME)) {
            return Decision.refused(401, "missing bearer token: send 'Authorization: Bearer <token>' with a token "
                    + "that has the " + role(needed) + " role to " + action);
        }
        byte[] offered = authorization.substring(SCHEME.length()).trim().getBytes(UTF_8);
        for (Map.Entry<String, AuthConfig.Token> token : config.tokens().entrySet()) {
            // Constant-time comparison: the response time must not tell how much of a guess was right.
            if (MessageDigest.isEqual(offered, token.getValue().secret().getBytes(UTF_8))) {
                return token.getValue().roles().contains(needed)
                        ? new Decision(true, 200, "", token.getKey())
                        : Decision.refused(403, "token '" + token.getKey() + "' lacks the " + role(needed)
                                + " role needed to " + action + "; it has " + token.getValue().roles());
            }
        }
        return Decision.refused(401, "bearer token not recognised: check slipway.cas.auth.tokens on the server");
    }

    private static String role(Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
