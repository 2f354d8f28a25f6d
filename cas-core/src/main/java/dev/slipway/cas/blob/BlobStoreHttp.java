package dev.slipway.cas.blob;

import dev.slipway.cas.digest.CorruptBlobException;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.VerifyingInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Blobs on an HTTP server, in one of two dialects: Slipway's cas-service ({@code <base>/cas/<hex>}), or an
 * Artifactory generic repository ({@code <base>/v1/<first two hex>/<hex>}, deployed with the
 * {@code X-Checksum-Sha256} header so Artifactory checks the checksum too). Both take a bearer token.
 *
 * <p>Uploads are verified on the way out: if the local bytes do not match their name, the stream fails
 * before its end, the request is aborted, and the server stores nothing. Downloads are verified on the way in.
 */
public final class BlobStoreHttp implements BlobStore {

    /** How paths and listings are spelled on the server. */
    public enum Dialect {
        CAS_SERVICE,
        ARTIFACTORY
    }

    /**
     * Headers of a server's refusal to serve a blob it found damaged at rest: what its bytes hash to, and how
     * many there are.
     */
    public static final String CORRUPT_DIGEST = "Slipway-Corrupt-Digest";
    public static final String CORRUPT_BYTES = "Slipway-Corrupt-Bytes";

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    // HTTP/1.1: cas-service closes the connection on an upload it refuses part way, and JDK 17's client could
    // hang on the next request after such a GOAWAY when it had upgraded the connection to h2c.
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final URI base;
    private final String token;
    private final Dialect dialect;

    /** @param base the service root, or the generic repository's URL, ending with {@code /} */
    public BlobStoreHttp(URI base, String token, Dialect dialect) {
        if (!base.getPath().endsWith("/")) {
            throw new IllegalArgumentException("base URL " + base + " must end with '/'");
        }
        this.base = base;
        this.token = token;
        this.dialect = dialect;
    }

    @Override
    public OptionalLong size(Digest digest) throws IOException {
        HttpResponse<Void> head = send(request(urlOf(digest)).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() == 404) {
            return OptionalLong.empty();
        }
        expectSuccess(head, "look up " + digest, "");
        return OptionalLong.of(head.headers().firstValueAsLong("Content-Length").orElseThrow(
                () -> new IOException("HEAD " + urlOf(digest) + " answered without a Content-Length")));
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        HttpResponse<InputStream> get = send(request(urlOf(digest)).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (get.statusCode() == 404) {
            get.body().close();
            throw new BlobNotFoundException(digest);
        }
        if (get.statusCode() != 200) {
            String body = new String(get.body().readAllBytes(), StandardCharsets.UTF_8);
            Optional<String> actual = get.headers().firstValue(CORRUPT_DIGEST);
            if (actual.isPresent()) {
                throw new CorruptBlobException(digest, Digest.parse(actual.get()),
                        get.headers().firstValueAsLong(CORRUPT_BYTES).orElse(-1), urlOf(digest).toString());
            }
            expectSuccess(get, "read " + digest, body);
        }
        return VerifyingInputStream.ofStored(get.body(), digest, urlOf(digest).toString());
    }

    /** A {@code Range} request; a server that ignores it (200, the whole blob) costs the whole, and still works. */
    @Override
    public byte[] readRange(Digest digest, long offset, int length) throws IOException {
        if (length == 0) {
            return new byte[0];
        }
        HttpResponse<InputStream> get = send(request(urlOf(digest))
                .header("Range", "bytes=" + offset + "-" + (offset + length - 1)).GET(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = get.body()) {
            if (get.statusCode() == 404) {
                throw new BlobNotFoundException(digest);
            }
            if (get.statusCode() == 206) {
                return body.readNBytes(length);
            }
            if (get.statusCode() == 200) {
                body.skipNBytes(offset);
                return body.readNBytes(length);
            }
            expectSuccess(get, "read a range of " + digest, new String(body.readAllBytes(), StandardCharsets.UTF_8));
            throw new IOException("cannot read a range of " + digest + ": HTTP " + get.statusCode());
        }
    }

    @Override
    public boolean write(Digest expected, InputStream bytes) throws IOException {
        boolean existed = exists(expected);
        VerifyingInputStream verifying = VerifyingInputStream.ofUpload(bytes, expected);
        HttpRequest.Builder put = request(urlOf(expected))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new UncheckedReads(verifying)));
        if (dialect == Dialect.ARTIFACTORY) {
            put.header("X-Checksum-Sha256", expected.hex());
        }
        HttpResponse<String> response;
        try {
            response = send(put, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            IOException cause = UncheckedReads.cause(e);
            if (cause != e) {
                throw cause;
            }
            throw new IOException("cannot write " + expected + ": " + urlOf(expected) + " ended the connection before "
                    + "it answered (" + e.getMessage() + "); cas-service does that to a body over its size limit "
                    + "(slipway.cas.store.max-blob-size), and its log says why", e);
        }
        expectSuccess(response, "write " + expected, response.body());
        return !existed;
    }

    @Override
    public Stream<Digest> list() throws IOException {
        if (dialect == Dialect.ARTIFACTORY) {
            throw new UnsupportedOperationException("listing an Artifactory repository is not implemented; use its "
                    + "storage API (GET /api/storage/<repo>/v1?list&deep=1)");
        }
        HttpResponse<InputStream> get = send(request(base.resolve("cas")).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (get.statusCode() != 200) {
            expectSuccess(get, "list blobs", new String(get.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        BufferedReader lines = new BufferedReader(new InputStreamReader(get.body(), StandardCharsets.UTF_8));
        return lines.lines().filter(line -> !line.isBlank()).map(Digest::new).onClose(() -> {
            try {
                lines.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        HttpResponse<String> response = send(request(urlOf(digest)).DELETE(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return false;
        }
        expectSuccess(response, "delete " + digest, response.body());
        return true;
    }

    /** The blob's URL on the server. */
    public URI urlOf(Digest digest) {
        return switch (dialect) {
            case CAS_SERVICE -> base.resolve("cas/" + digest.hex());
            case ARTIFACTORY -> base.resolve("v1/" + digest.hex().substring(0, 2) + "/" + digest.hex());
        };
    }

    private HttpRequest.Builder request(URI url) {
        return HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Authorization", "Bearer " + token);
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return http.send(request.build(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while talking to " + base, e);
        }
    }

    private static void expectSuccess(HttpResponse<?> response, String action, String body) throws IOException {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String hint = switch (status) {
            case 401 -> " (the token was missing or not recognised)";
            case 403 -> " (the token lacks the role for this)";
            case 413 -> " (the blob is larger than the server allows)";
            default -> "";
        };
        throw new HttpStatusException(status, "cannot " + action + ": " + response.request().method() + " "
                + response.uri() + " answered " + status + hint
                + (body.isBlank() ? "" : ": " + ErrorBody.message(body)));
    }
}
