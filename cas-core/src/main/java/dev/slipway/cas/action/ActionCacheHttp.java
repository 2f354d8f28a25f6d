package dev.slipway.cas.action;

import dev.slipway.cas.blob.ErrorBody;
import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** cas-service's {@code GET/PUT /ac/<hex>} (the Bazel remote-cache protocol), with a builder token. */
public final class ActionCacheHttp implements ActionCache {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String token;

    /** @param base cas-service's root URL, ending with {@code /} */
    public ActionCacheHttp(URI base, String token) {
        if (!base.getPath().endsWith("/")) {
            throw new IllegalArgumentException("base URL " + base + " must end with '/'");
        }
        this.base = base;
        this.token = token;
    }

    @Override
    public Optional<byte[]> get(Digest action) throws IOException {
        HttpResponse<byte[]> response = send(request(action).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        expect(200, response);
        return Optional.of(response.body());
    }

    @Override
    public void put(Digest action, byte[] entry) throws IOException {
        HttpResponse<byte[]> response = send(request(action).PUT(HttpRequest.BodyPublishers.ofByteArray(entry)));
        if (response.statusCode() / 100 != 2) {
            expect(200, response);
        }
    }

    private HttpRequest.Builder request(Digest action) {
        return HttpRequest.newBuilder(base.resolve("ac/" + action.hex())).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while talking to " + base, e);
        }
    }

    private static void expect(int status, HttpResponse<byte[]> response) throws IOException {
        if (response.statusCode() != status) {
            throw new IOException(response.request().method() + " " + response.uri() + " answered "
                    + response.statusCode() + ": "
                    + ErrorBody.message(new String(response.body(), StandardCharsets.UTF_8)));
        }
    }
}
