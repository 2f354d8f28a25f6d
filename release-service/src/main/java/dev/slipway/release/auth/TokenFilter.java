package dev.slipway.release.auth;

import dev.slipway.cas.auth.BearerTokens;
import dev.slipway.release.api.Problem;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /api} request needs a bearer token: reading needs {@code viewer}, placing or releasing a hold
 * {@code holder} (or {@code operator}), anything else {@code operator}.
 * The granted token's name is left on the request as {@link #TOKEN_NAME}, to be recorded as who asked.
 */
public class TokenFilter {

    public static final String TOKEN_NAME = "slipway.token";
    /** Placing and releasing a set's holds: what a holder token may do. */
    private static final Pattern HOLDS = Pattern.compile("/api/sets/[^/]+/holds(/[^/]+)?");

    private final BearerTokens<Role> tokens;

    public TokenFilter(BearerTokens<Role> tokens) {
        this.tokens = tokens;
    }

    @ServerRequestFilter
    public Response authorize(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/")) {
            return null;
        }
        boolean reading = HttpMethod.GET.equals(request.getMethod()) || HttpMethod.HEAD.equals(request.getMethod());
        Role needed = reading ? Role.VIEWER : HOLDS.matcher(path).matches() ? Role.HOLDER : Role.OPERATOR;
        BearerTokens.Decision decision = tokens.decide(request.getHeaderString(HttpHeaders.AUTHORIZATION), needed,
                reading ? "read " + path : request.getMethod() + " " + path);
        if (decision.granted()) {
            request.setProperty(TOKEN_NAME, decision.tokenName());
            return null;
        }
        Response.ResponseBuilder refusal = Response.status(decision.status())
                .entity(new Problem(decision.status(), decision.message())).type("application/json");
        if (decision.status() == 401) {
            refusal.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"slipway-release\"");
        }
        return refusal.build();
    }
}
