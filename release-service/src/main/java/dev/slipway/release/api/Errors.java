package dev.slipway.release.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error the framework answers for us (malformed JSON, a wrong method, media type or path) in the same
 * {@code {"status", "message"}} form as ours, never an empty body.
 */
public final class Errors {

    @ServerExceptionMapper
    public Response problem(WebApplicationException e) {
        if (e instanceof ProblemException) {
            return e.getResponse();
        }
        int status = e.getResponse().getStatus();
        return Response.status(status).type("application/json").entity(new Problem(status, messageFor(status, e)))
                .build();
    }

    private static String messageFor(int status, WebApplicationException e) {
        return switch (status) {
            case 400 -> "the request cannot be read" + (e.getCause() != null && e.getCause().getMessage() != null
                    ? ": " + e.getCause().getMessage().lines().findFirst().orElse("") : "")
                    + "; send JSON as the API documentation (/q/openapi) shows";
            case 404 -> "no such resource; the API is described at /q/openapi";
            case 405 -> "this method is not allowed here; the API is described at /q/openapi";
            case 406 -> "cannot answer in the media type asked for (Accept); ask for application/json";
            case 415 -> "send the body as application/json";
            default -> e.getMessage() == null ? "HTTP " + status : e.getMessage();
        };
    }
}
