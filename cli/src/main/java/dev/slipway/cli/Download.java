package dev.slipway.cli;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A third-party file fetched on the CLI's machine (builders never reach the network), into a temporary file,
 * hashed on the way with SHA-256 and SHA-1 (what Maven repositories publish beside every file).
 */
final class Download implements AutoCloseable {

    private static final Duration CONNECT = Duration.ofSeconds(15);
    private static final Duration SILENCE = Duration.ofMinutes(2);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            // NORMAL never follows a redirect from https to http.
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(CONNECT)
            .build();

    private final Path file;
    private final Digest sha256;
    private final String sha1;
    private final long bytes;

    private Download(Path file, Digest sha256, String sha1, long bytes) {
        this.file = file;
        this.sha256 = sha256;
        this.sha1 = sha1;
        this.bytes = bytes;
    }

    /** Fetches {@code uri} (https, http or file) whole, refusing more than {@code maxBytes}. */
    static Download fetch(URI uri, long maxBytes) {
        Path file = null;
        try {
            file = Files.createTempFile("slipway-import", ".part");
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            long bytes = 0;
            try (InputStream in = open(uri); OutputStream out = Files.newOutputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    bytes += n;
                    if (bytes > maxBytes) {
                        throw new CliFailure(Exit.REFUSED, uri + " is bigger than --max-bytes " + maxBytes
                                + "; nothing was stored");
                    }
                    sha256.update(buffer, 0, n);
                    sha1.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            return new Download(file, Digest.parse("sha256:" + HexFormat.of().formatHex(sha256.digest())),
                    HexFormat.of().formatHex(sha1.digest()), bytes);
        } catch (IOException e) {
            delete(file);
            throw new CliFailure(Exit.UNREACHABLE, "cannot fetch " + uri + ": " + why(e), e);
        } catch (NoSuchAlgorithmException e) {
            delete(file);
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            delete(file);
            throw e;
        }
    }

    /** A small text fetched whole (a published checksum); empty when the server has none (404). */
    static Optional<String> text(URI uri) {
        try {
            if (uri.getScheme().equals("file")) {
                Path path = Path.of(uri);
                return Files.exists(path) ? Optional.of(Files.readString(path)) : Optional.empty();
            }
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(SILENCE).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new CliFailure(Exit.UNREACHABLE, "GET " + uri + " answered " + response.statusCode());
            }
            return Optional.of(response.body());
        } catch (IOException e) {
            throw new CliFailure(Exit.UNREACHABLE, "cannot fetch " + uri + ": " + why(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(Exit.FAILED, "interrupted");
        }
    }

    /** The JDK's HTTP client throws a ConnectException with no message for a refused connection. */
    private static String why(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static InputStream open(URI uri) throws IOException {
        if (uri.getScheme().equals("file")) {
            return Files.newInputStream(Path.of(uri));
        }
        try {
            HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(SILENCE).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new CliFailure(Exit.UNREACHABLE, "GET " + uri + " answered " + response.statusCode()
                        + "; nothing was stored");
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    Path file() {
        return file;
    }

    Digest sha256() {
        return sha256;
    }

    String sha1() {
        return sha1;
    }

    long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        delete(file);
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A temp file left behind is the OS's to clean.
            }
        }
    }
}
