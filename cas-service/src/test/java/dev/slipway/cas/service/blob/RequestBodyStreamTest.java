package dev.slipway.cas.service.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure over a real Vert.x server: readers slower than the socket pause and resume the request many
 * times per upload, and every upload ends with all its bytes. A request paused with no resume scheduled would
 * fall silent and fail on the idle timeout, which is short here so that a stall fails the test.
 */
class RequestBodyStreamTest {

    private static final int SIZE = 48 * 1024 * 1024;
    private static final int UPLOADS = 4;

    private final Vertx vertx = Vertx.vertx();
    private final ExecutorService readers = Executors.newFixedThreadPool(UPLOADS);

    @AfterEach
    void stop() throws Exception {
        readers.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void slowReadersGetEveryByteOfConcurrentUploadsWithoutStalling() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            request.pause();
            RequestBodyStream body = new RequestBodyStream(request, vertx.getOrCreateContext(), Long.MAX_VALUE,
                    Duration.ofSeconds(5));
            readers.submit(() -> {
                try {
                    String digest = slowlyHashed(body);
                    vertx.runOnContext(v -> request.response().end(digest));
                } catch (Exception e) {
                    vertx.runOnContext(v -> request.response().setStatusCode(500).end(e.toString()));
                }
            });
        });
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort();

        byte[] payload = new byte[SIZE];
        new Random(17).nextBytes(payload);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> uploads = new ArrayList<>();
        for (int i = 0; i < UPLOADS; i++) {
            uploads.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> upload : uploads) {
            HttpResponse<String> response = upload.get(120, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(expected, response.body());
        }
    }

    /** Reads in small pieces with a pause now and then, so the queue fills past its high water often. */
    private static String slowlyHashed(InputStream body) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] piece = new byte[64 * 1024];
        long read = 0;
        for (int n; (n = body.read(piece)) >= 0; ) {
            sha256.update(piece, 0, n);
            read += n;
            if (read % (2 * 1024 * 1024) < n) {
                Thread.sleep(3);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }
}
