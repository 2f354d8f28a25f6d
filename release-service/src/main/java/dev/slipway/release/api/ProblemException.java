package dev.slipway.release.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** Ends a request with a {@link Problem}. */
public final class ProblemException extends WebApplicationException {

    public ProblemException(int status, String message) {
        super(message, Response.status(status).entity(new Problem(status, message)).type("application/json").build());
    }
}
