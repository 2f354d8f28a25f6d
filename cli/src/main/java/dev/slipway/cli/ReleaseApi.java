package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.wire.EventJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** The release service's API; its refusals become {@link CliFailure}s with the service's own message. */
public final class ReleaseApi {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String token;

    ReleaseApi(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    public JsonNode get(String path) {
        return send(request(path).GET());
    }

    /** The document at {@code path}, or empty while the service answers 404 (not in its read model yet). */
    public Optional<JsonNode> find(String path) {
        HttpResponse<String> response = exchange(request(path).GET(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 404 ? Optional.empty() : Optional.of(parse(response));
    }

    public JsonNode post(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Context.toJson(body))));
    }

    public JsonNode delete(String path) {
        return send(request(path).DELETE());
    }

    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Calls {@code onChange} for every change the service streams, until the stream ends. */
    public void follow(Consumer<JsonNode> onChange) {
        HttpResponse<InputStream> response = exchange(request("api/live").timeout(Duration.ofDays(365))
                .setHeader("Accept", "text/event-stream").GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                refuse(response.statusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                refuse(response.statusCode(), "");
            }
        }
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data:")) {
                    onChange.accept(EventJson.mapper().readTree(line.substring("data:".length())));
                }
            }
        } catch (IOException e) {
            throw new CliFailure(Exit.UNREACHABLE, "the release service at " + base + " stopped streaming: "
                    + e.getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
    }

    private JsonNode send(HttpRequest.Builder request) {
        return parse(exchange(request, HttpResponse.BodyHandlers.ofString()));
    }

    private JsonNode parse(HttpResponse<String> response) {
        if (response.statusCode() >= 300) {
            refuse(response.statusCode(), response.body());
        }
        try {
            return EventJson.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new CliFailure(Exit.FAILED, "the release service answered something that is not JSON: "
                    + e.getMessage());
        }
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request.build(), body);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CliFailure(Exit.UNREACHABLE, "cannot reach the release service at " + base
                    + "; set its URL with " + Settings.Key.RELEASE_URL.spellings());
        } catch (IOException e) {
            throw new CliFailure(Exit.UNREACHABLE, "release service " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(Exit.FAILED, "interrupted");
        }
    }

    private void refuse(int status, String body) {
        String message = body;
        try {
            JsonNode problem = EventJson.mapper().readTree(body);
            if (problem != null && problem.hasNonNull("message")) {
                message = problem.get("message").asText();
            }
        } catch (IOException notJson) {
            // The body as it came.
        }
        if (status == 401 || status == 403) {
            throw new CliFailure(Exit.AUTH, "the release service refused the token (" + status + "): " + message
                    + "; set it with " + Settings.Key.RELEASE_TOKEN.spellings());
        }
        throw new CliFailure(status < 500 ? Exit.REFUSED : Exit.FAILED, "the release service answered " + status + ": "
                + message);
    }
}
