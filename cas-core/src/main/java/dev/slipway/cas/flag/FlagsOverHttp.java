package dev.slipway.cas.flag;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Flags read from cas-service's {@code GET /flags/<hex>} with a reader token, for hosts without the store's disk. */
public final class FlagsOverHttp implements FlagReader {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String token;

    /** @param base cas-service's root URL, ending with {@code /} */
    public FlagsOverHttp(URI base, String token) {
        if (!base.getPath().endsWith("/")) {
            throw new IllegalArgumentException("base URL " + base + " must end with '/'");
        }
        this.base = base;
        this.token = token;
    }

    @Override
    public Flags flagsOf(Digest recipe) throws IOException {
        URI url = base.resolve("flags/" + recipe.hex());
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + url, e);
        }
        if (response.statusCode() == 404) {
            return Flags.none(recipe);
        }
        if (response.statusCode() != 200) {
            throw new IOException("cannot read the flags of " + recipe + ": GET " + url + " answered "
                    + response.statusCode() + (response.statusCode() == 401 ? " (the token was missing or not "
                    + "recognised)" : ""));
        }
        return FlagJson.read(recipe, response.body());
    }
}
