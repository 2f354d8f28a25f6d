package dev.slipway.cas.service.blob;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.blob.BlobStoreFileSystem;
import dev.slipway.cas.digest.Digest;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The blob API over real HTTP against the running service and its filesystem store. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
class BlobApiTest {

    private static final String BUILDER = "builder-secret";
    private static final String READER = "reader-secret";
    private static final Path STORE = Path.of("target/test-store");

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void storesABlobUnderItsNameAndServesItBack() throws Exception {
        byte[] blob = randomBytes(100_000);
        Digest name = Digest.of(blob);

        assertEquals(201, put("/cas/" + name.hex(), blob, BUILDER).statusCode());
        assertEquals(200, put("/cas/" + name.hex(), blob, BUILDER).statusCode(), "a second PUT finds it stored");

        HttpResponse<byte[]> got = get("/cas/" + name.hex(), READER, null);
        assertEquals(200, got.statusCode());
        assertArrayEquals(blob, got.body());
        assertEquals("\"" + name.hex() + "\"", got.headers().firstValue("ETag").orElseThrow());
        HttpResponse<Void> head = http.send(request("/cas/" + name.hex(), READER)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals("100000", head.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void rejectsABodyThatDoesNotMatchItsNameAndStoresNothing() throws Exception {
        byte[] blob = randomBytes(5_000);
        Digest claimed = Digest.of("something else".getBytes(UTF_8));

        HttpResponse<String> response = putForText("/cas/" + claimed.hex(), blob, BUILDER);

        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains(claimed.toString()), response.body());
        assertTrue(response.body().contains(Digest.of(blob).toString()), response.body());
        assertEquals(404, get("/cas/" + claimed.hex(), READER, null).statusCode());
    }

    @Test
    void rejectsAMalformedDigestInThePath() throws Exception {
        assertEquals(400, put("/cas/not-a-digest", new byte[1], BUILDER).statusCode());
        assertEquals(400, get("/cas/" + "AB".repeat(32), READER, null).statusCode());
        HttpResponse<String> refused = putForText("/cas/x%00y", new byte[1], BUILDER);
        assertEquals(400, refused.statusCode());
        assertEquals("application/json", refused.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(refused.body().startsWith("{\"status\":400,\"message\":\"'x"), refused.body());
        assertTrue(refused.body().contains("is not a sha256 digest"), refused.body());
    }

    @Test
    void refusesABodyLargerThanTheLimitWhetherDeclaredOrStreamed() throws Exception {
        String declared = rawRequest("PUT /cas/" + "ab".repeat(32) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + BUILDER + "\r\nContent-Length: 100000000\r\n\r\n", new byte[0]);
        assertTrue(declared.startsWith("HTTP/1.1 413"), declared);

        long overLimit = 64L * 1024 * 1024 + 1;
        InputStream endless = new InputStream() {
            private long left = overLimit;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = (int) Math.min(len, left);
                if (n <= 0) {
                    return -1;
                }
                Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        HttpResponse<String> streamed = http.send(request("/cas/" + "cd".repeat(32), BUILDER)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> endless)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, streamed.statusCode(), streamed.body());
    }

    @Test
    void demandsATokenWithTheRightRole() throws Exception {
        byte[] blob = randomBytes(10);
        String path = "/cas/" + Digest.of(blob).hex();

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(base.resolve(path))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
        assertEquals(401, putForText(path, blob, "guessed-secret").statusCode());
        HttpResponse<String> readerWrites = putForText(path, blob, READER);
        assertEquals(403, readerWrites.statusCode());
        assertTrue(readerWrites.body().contains("builder"), readerWrites.body());
        assertEquals(401, get(path, null, null).statusCode());
        assertEquals(200, get("/q/health/live", null, null).statusCode(), "health stays anonymous");
    }

    @Test
    void servesByteRanges() throws Exception {
        byte[] blob = "0123456789abcdefghij".getBytes(UTF_8);
        String path = "/cas/" + Digest.of(blob).hex();
        put(path, blob, BUILDER);

        HttpResponse<byte[]> middle = get(path, READER, "bytes=10-14");
        assertEquals(206, middle.statusCode());
        assertEquals("abcde", new String(middle.body(), UTF_8));
        assertEquals("bytes 10-14/20", middle.headers().firstValue("Content-Range").orElseThrow());
        assertEquals("ghij", new String(get(path, READER, "bytes=-4").body(), UTF_8));
        assertEquals(416, get(path, READER, "bytes=20-").statusCode());
        HttpResponse<byte[]> invalid = get(path, READER, "bytes=5-3");
        assertEquals(200, invalid.statusCode(), "an invalid range is ignored");
        assertEquals(20, invalid.body().length);

        byte[] empty = new byte[0];
        String emptyPath = "/cas/" + Digest.of(empty).hex();
        put(emptyPath, empty, BUILDER);
        HttpResponse<byte[]> suffixOfNothing = get(emptyPath, READER, "bytes=-4");
        assertEquals(200, suffixOfNothing.statusCode(), "the empty blob, whole");
        assertEquals(0, suffixOfNothing.body().length);
        assertTrue(suffixOfNothing.headers().firstValue("Content-Range").isEmpty());
    }

    @Test
    void anUploadCutOffMidwayLeavesNothingBehind() throws Exception {
        byte[] blob = randomBytes(200_000);
        Digest name = Digest.of(blob);

        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /cas/" + name.hex() + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + BUILDER
                    + "\r\nContent-Length: " + blob.length + "\r\n\r\n").getBytes(UTF_8));
            out.write(blob, 0, 100_000);
            out.flush();
            // The partial upload is on disk before the client dies...
            await().atMost(Duration.ofSeconds(20)).until(() -> !incomingFiles().isEmpty());
        }
        // ...and gone soon after, because the server saw the connection close (not its 60 s idle timeout).
        await().atMost(Duration.ofSeconds(20)).until(() -> incomingFiles().isEmpty());
        assertEquals(404, get("/cas/" + name.hex(), READER, null).statusCode());
        assertEquals(201, put("/cas/" + name.hex(), blob, BUILDER).statusCode(), "the full upload stores it anew");
    }

    @Test
    void concurrentUploadsOfOneBlobAllSucceed() throws Exception {
        byte[] blob = randomBytes(2_000_000);
        String path = "/cas/" + Digest.of(blob).hex();
        List<CompletableFuture<HttpResponse<String>>> uploads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            uploads.add(http.sendAsync(request(path, BUILDER).PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> upload : uploads) {
            int status = upload.get().statusCode();
            assertTrue(status == 200 || status == 201, "status " + status);
        }
        assertArrayEquals(blob, get(path, READER, null).body());
    }

    @Test
    void aScrubQuarantinesABlobDamagedAtRestSoItIsNeverServedAgain() throws Exception {
        byte[] blob = randomBytes(50_000);
        Digest name = storedThenDamaged(blob, randomBytes(50_000));

        assertEquals(403, http.send(request("/cas/scrub", BUILDER).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> report = http.send(request("/cas/scrub", "ops-secret")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, report.statusCode());
        assertTrue(report.body().contains(name.toString()), report.body());
        assertEquals(404, get("/cas/" + name.hex(), READER, null).statusCode());
        assertEquals(201, put("/cas/" + name.hex(), blob, BUILDER).statusCode(), "a new upload repairs the store");
        assertArrayEquals(blob, get("/cas/" + name.hex(), READER, null).body());
    }

    @Test
    void theListingStreamsEveryStoredDigestInBatches() throws Exception {
        // More than one 64 KiB batch of 65-byte lines.
        BlobStoreFileSystem store = new BlobStoreFileSystem(STORE);
        List<String> stored = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            byte[] blob = randomBytes(64);
            store.write(Digest.of(blob), new ByteArrayInputStream(blob));
            stored.add(Digest.of(blob).hex());
        }

        assertEquals(401, get("/cas", null, null).statusCode());
        HttpResponse<String> listing = http.send(request("/cas", READER).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, listing.statusCode());
        List<String> lines = listing.body().lines().toList();
        assertTrue(lines.containsAll(stored), "every stored digest is listed");
        assertEquals(lines.size(), Set.copyOf(lines).size(), "each once");
        assertTrue(lines.stream().allMatch(line -> line.matches("[0-9a-f]{64}")), "nothing but digests");
        String head = rawRequest("GET /cas HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + READER
                + "\r\nConnection: close\r\n\r\n", new byte[0]);
        assertTrue(head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked"),
                "streamed, not built whole: " + head);
    }

    @Test
    void aSmallBlobDamagedAtRestIsRefusedOnEveryRead() throws Exception {
        byte[] blob = randomBytes(4096);
        byte[] damaged = blob.clone();
        damaged[2048] ^= 1;
        Digest name = storedThenDamaged(blob, damaged);

        for (String range : new String[] {null, "bytes=0-99"}) {
            HttpRequest.Builder read = request("/cas/" + name.hex(), READER).GET();
            if (range != null) {
                read.header("Range", range);
            }
            HttpResponse<String> refused = http.send(read.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, refused.statusCode(), "range " + range);
            assertTrue(refused.body().contains("damaged"), refused.body());
            assertEquals(Digest.of(damaged).toString(),
                    refused.headers().firstValue("Slipway-Corrupt-Digest").orElseThrow());
        }
        assertTrue(put("/cas/" + name.hex(), blob, BUILDER).statusCode() / 100 == 2, "a new upload repairs it");
        assertArrayEquals(blob, get("/cas/" + name.hex(), READER, null).body());
        assertArrayEquals(Arrays.copyOfRange(blob, 100, 200),
                get("/cas/" + name.hex(), READER, "bytes=100-199").body(), "a range of a small blob");
    }

    @Test
    void keepsActionCacheEntriesByActionDigest() throws Exception {
        byte[] entry = "an ActionResult protobuf".getBytes(UTF_8);
        String path = "/ac/" + Digest.of(randomBytes(32)).hex();

        assertEquals(404, get(path, READER, null).statusCode());
        assertEquals(200, put(path, entry, BUILDER).statusCode());
        assertArrayEquals(entry, get(path, READER, null).body());
    }

    /** Stores {@code blob} through the API, then overwrites its file with {@code damaged}, as rot at rest would. */
    private Digest storedThenDamaged(byte[] blob, byte[] damaged) throws Exception {
        Digest name = Digest.of(blob);
        put("/cas/" + name.hex(), blob, BUILDER);
        Path file = new BlobStoreFileSystem(STORE).pathOf(name);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(file, damaged);
        return name;
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    private HttpResponse<byte[]> put(String path, byte[] body, String token) throws Exception {
        return http.send(request(path, token).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> putForText(String path, byte[] body, String token) throws Exception {
        return http.send(request(path, token).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> get(String path, String token, String range) throws Exception {
        HttpRequest.Builder builder = request(path, token).GET();
        if (range != null) {
            builder.header("Range", range);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends raw bytes and returns the start of the answer. */
    private String rawRequest(String head, byte[] body) throws Exception {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(UTF_8));
            out.write(body);
            out.flush();
            byte[] answer = new byte[512];
            int n = socket.getInputStream().read(answer);
            return n < 0 ? "" : new String(answer, 0, n, UTF_8);
        }
    }

    private static List<Path> incomingFiles() throws Exception {
        try (Stream<Path> files = Files.walk(STORE)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".incoming-")).toList();
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom().nextBytes(bytes);
        return bytes;
    }
}
