package dev.slipway.cas.service.http;

import dev.slipway.cas.digest.Digest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * How the HTTP API reads path digests and says no: a status and a JSON body {@code {"status", "message"}} whose
 * message is one line a person can act on, as the release API answers. Event loop.
 */
public final class Replies {

    private Replies() {
    }

    /** The digest in path parameter {@code hex}; answers 400 and returns empty when it is not one. */
    public static Optional<Digest> digestOf(RoutingContext ctx) {
        String hex = ctx.pathParam("hex");
        try {
            return Optional.of(new Digest(hex));
        } catch (IllegalArgumentException e) {
            fail(ctx, 400, "'" + hex + "' in the path is not a sha256 digest: expected 64 lowercase hex digits");
            return Optional.empty();
        }
    }

    public static void fail(RoutingContext ctx, int status, String message) {
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(new JsonObject().put("status", status).put("message", message).encode());
        }
    }
}
