package dev.slipway.cas.chunk;

import java.io.IOException;

/** A chunk index that is not one: malformed, of another format, or naming lengths that do not add up. */
public final class InvalidChunkIndexException extends IOException {

    public InvalidChunkIndexException(String message) {
        super("chunk index: " + message);
    }
}
