package dev.slipway.release.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body larger than {@code quarkus.http.limits.max-body-size} in the API's own {@code {"status",
 * "message"}} form. Vert.x enforces the same limit, with an empty 413, for a body sent without its length; a body
 * that declares its length is answered here first, before any of it is read.
 */
@Singleton
public class BodyLimit {

    void install(@Observes Router router, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        long max = limit.asLongValue();
        String problem = "{\"status\":413,\"message\":\"the body is larger than the " + max + " bytes this service "
                + "accepts\"}";
        // Before Quarkus's own check of the declared length (order -2), which answers with an empty body.
        router.route().order(-3).handler(context -> {
            String declared = context.request().getHeader("Content-Length");
            if (declared != null && tooLong(declared, max)) {
                context.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close").end(problem);
                return;
            }
            context.next();
        });
    }

    private static boolean tooLong(String declared, long max) {
        try {
            return Long.parseLong(declared.trim()) > max;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
