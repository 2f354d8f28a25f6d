package dev.slipway.cas.blob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** What a refusal from cas-service says: the {@code message} of its JSON body, or the body as it came. */
public final class ErrorBody {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorBody() {
    }

    public static String message(String body) {
        try {
            JsonNode reply = JSON.readTree(body);
            if (reply != null && reply.path("message").isTextual()) {
                return reply.get("message").asText();
            }
        } catch (IOException notJson) {
            // A proxy's page, or a server of another kind: shown as it is.
        }
        return body.strip();
    }
}
