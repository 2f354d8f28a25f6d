package dev.slipway.cas.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Decides whether an {@code Authorization} header's bearer token grants a role: the one implementation every
 * service that takes tokens uses, so that how secrets are compared and what a refusal says are the same in each.
 * Pure and thread-safe; cheap enough for an event loop.
 *
 * @param <R> the service's roles
 */
public final class BearerTokens<R extends Enum<R>> {

    private static final String SCHEME = "Bearer ";

    /** A token's secret and roles, by the name that logs and errors show (never the secret). */
    public record Token<R>(String secret, Set<R> roles) {
    }

    /** Granted to the named token, or refused with the HTTP status and a message that says what to fix. */
    public record Decision(String tokenName, int status, String message) {
        public boolean granted() {
            return tokenName != null;
        }
    }

    private final Map<String, Token<R>> tokens;
    private final BiPredicate<R, R> grants;
    private final String configured;

    /**
     * @param tokens     the tokens by name
     * @param grants     whether a token's role (first) allows what the needed role (second) allows
     * @param configured the configuration key the tokens come from, for the message when a token is unknown
     */
    public BearerTokens(Map<String, Token<R>> tokens, BiPredicate<R, R> grants, String configured) {
        this.tokens = Map.copyOf(tokens);
        this.grants = grants;
        this.configured = configured;
    }

    /** True when no token is configured: every request is refused. */
    public boolean none() {
        return tokens.isEmpty();
    }

    /**
     * @param authorization the request's {@code Authorization} header, possibly null
     * @param action        what the request wants to do, for the message (e.g. "PUT blobs")
     */
    public Decision decide(String authorization, R needed, String action) {
        if (authorization == null || !authorization.startsWith(SCHEME)) {
            return new Decision(null, 401, "missing bearer token: send 'Authorization: Bearer <token>' with a token "
                    + "that has the " + name(needed) + " role to " + action);
        }
        byte[] offered = authorization.substring(SCHEME.length()).trim().getBytes(UTF_8);
        for (Map.Entry<String, Token<R>> token : tokens.entrySet()) {
            // Constant-time comparison: the response time must not tell how much of a guess was right.
            if (MessageDigest.isEqual(offered, token.getValue().secret().getBytes(UTF_8))) {
                return token.getValue().roles().stream().anyMatch(role -> grants.test(role, needed))
                        ? new Decision(token.getKey(), 200, "")
                        : new Decision(null, 403, "token '" + token.getKey() + "' lacks the " + name(needed)
                                + " role needed to " + action + "; it has " + token.getValue().roles());
            }
        }
        return new Decision(null, 401, "bearer token not recognised: check " + configured + " on the server");
    }

    private static String name(Enum<?> role) {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
