package dev.slipway.cas.blob;

import java.io.IOException;

/** An HTTP store answered with an error status; callers tell a refused token (401, 403) from other failures. */
public final class HttpStatusException extends IOException {

    private final int status;

    public HttpStatusException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
