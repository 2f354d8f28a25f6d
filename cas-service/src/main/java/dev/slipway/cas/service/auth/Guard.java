package dev.slipway.cas.service.auth;

import dev.slipway.cas.auth.BearerTokens;
import dev.slipway.cas.service.http.Replies;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.util.Optional;

/** Lets a request through when its bearer token has the role, or answers 401/403 itself. Event loop. */
@Singleton
public final class Guard {

    private final BearerTokens<Role> tokens;

    public Guard(BearerTokens<Role> tokens) {
        this.tokens = tokens;
    }

    /** The granted token's name, or empty after answering the refusal. */
    public Optional<String> authorize(RoutingContext ctx, Role role, String action) {
        BearerTokens.Decision decision = tokens.decide(ctx.request().getHeader(HttpHeaders.AUTHORIZATION), role, action);
        if (decision.granted()) {
            return Optional.of(decision.tokenName());
        }
        if (decision.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"slipway-cas\"");
        }
        Replies.fail(ctx, decision.status(), decision.message());
        return Optional.empty();
    }
}
