package dev.slipway.cas.service.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.BlobStoreHttp;
import dev.slipway.cas.blob.BlobStoreS3;
import dev.slipway.cas.blob.CountingBlobStore;
import dev.slipway.cas.chunk.ChunkIndex;
import dev.slipway.cas.chunk.DeltaDownload;
import dev.slipway.cas.digest.Digest;
import dev.slipway.testsupport.kafka.KafkaTestResource;
import dev.slipway.testsupport.s3.S3Server;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Delta downloads of a large artifact through cas-service's HTTP API and from S3 (S3Proxy): how many bytes a
 * host that holds the previous version moves for the next one, against a whole download, for 1% of the bytes
 * changed in a few or many places; what the first publication of an artifact's chunks costs; and the speed of
 * chunking and SHA-256 on one core beside it. Run by {@code bench/delta-download}; prints BENCH lines.
 */
@Tag("benchmark")
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL)
class DeltaDownloadBenchmark {

    private static final long SIZE = Long.getLong("bench.delta.mib", 256) * 1024 * 1024;
    private static final List<Integer> EDITS = List.of(16, 256, 1024);
    private static final double CHANGED = 0.01;

    @TestHTTPResource("/")
    URI base;

    @TempDir
    Path dir;

    @Test
    void deltaDownloads() throws IOException {
        Path v1 = generate(dir.resolve("v1"));
        limits(v1);
        measure("cas-service", new BlobStoreHttp(base, "ops-secret", BlobStoreHttp.Dialect.CAS_SERVICE), v1);
        try (S3Client client = S3Server.shared().client()) {
            String bucket = S3Server.uniqueBucket();
            client.createBucket(r -> r.bucket(bucket));
            measure("s3", new BlobStoreS3(client, bucket, "bench/"), v1);
        }
    }

    private void measure(String where, BlobStore store, Path v1) throws IOException {
        long started = System.nanoTime();
        try (InputStream in = Files.newInputStream(v1)) {
            store.write(digestOf(v1), in);
        }
        double whole = seconds(started);
        started = System.nanoTime();
        ChunkIndex.Stored published = ChunkIndex.store(store, v1);
        bench(where, "publishing %d MiB: the blob %.2f s, then its index of %d chunks (%d bytes) %.2f s",
                SIZE >> 20, whole, published.index().chunks().size(), published.index().encode().length,
                seconds(started));
        ChunkIndex local = published.index();
        for (int edits : EDITS) {
            Path v2 = edited(v1, dir.resolve("v2-" + edits), edits);
            Digest digest = digestOf(v2);
            try (InputStream in = Files.newInputStream(v2)) {
                store.write(digest, in);
            }
            Digest index = ChunkIndex.store(store, v2).digest();

            Download delta = download(store, digest, index, List.of(new DeltaDownload.Local(v1, local)));
            Download plain = download(store, digest, null, List.of());
            Download first = download(store, digest, index, List.of());
            bench(where, "1%% changed in %d places: delta %d bytes in %d reads = %.2f%% of a whole download's %d "
                    + "(%.2f s against %.2f s); a first download by the index, nothing local: %.2f s = %.2fx whole",
                    edits, delta.bytes(), delta.reads(), 100.0 * delta.bytes() / plain.bytes(), plain.bytes(),
                    delta.seconds(), plain.seconds(), first.seconds(), first.seconds() / plain.seconds());
            Files.delete(v2);
        }
    }

    private record Download(long bytes, long reads, double seconds) {
    }

    /** As an agent downloads: whole when {@code index} is null, else the index and then what the plan reads. */
    private Download download(BlobStore store, Digest digest, Digest index, List<DeltaDownload.Local> local)
            throws IOException {
        CountingBlobStore counted = new CountingBlobStore(store);
        long started = System.nanoTime();
        if (index == null) {
            try (InputStream in = counted.open(digest)) {
                assertEquals(digest, copyHashing(in, dir.resolve("downloaded")));
            }
        } else {
            ChunkIndex wanted;
            try (InputStream in = counted.open(index)) {
                wanted = ChunkIndex.parse(in);
            }
            try (InputStream in = DeltaDownload.open(DeltaDownload.plan(wanted, local), counted)) {
                assertEquals(digest, copyHashing(in, dir.resolve("downloaded")));
            }
        }
        return new Download(counted.bytesRead(), counted.opened(), seconds(started));
    }

    /** One core's speed at what a host does with its archive, and at hashing: what bounds both sides. */
    private void limits(Path file) throws IOException {
        long started = System.nanoTime();
        try (InputStream in = Files.newInputStream(file)) {
            ChunkIndex.of(in);
        }
        double chunking = seconds(started);
        started = System.nanoTime();
        digestOf(file);
        double hashing = seconds(started);
        bench("limits", "one core: indexing (gear hash, SHA-256 of each chunk and of the whole) %.0f MB/s; "
                + "SHA-256 alone %.0f MB/s",
                SIZE / chunking / 1e6, SIZE / hashing / 1e6);
    }

    /** Incompressible bytes, as packed jars and binaries are. */
    private static Path generate(Path file) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            for (long written = 0; written < SIZE; written += buffer.capacity()) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    buffer.putLong(random.nextLong());
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
        }
        return file;
    }

    /** A copy with {@link #CHANGED} of its bytes overwritten, in {@code edits} runs spread evenly through it. */
    private static Path edited(Path original, Path copy, int edits) throws IOException {
        Files.copy(original, copy);
        int length = (int) (SIZE * CHANGED / edits);
        SplittableRandom random = new SplittableRandom(edits);
        try (FileChannel out = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            for (int i = 0; i < edits; i++) {
                byte[] edit = new byte[length];
                random.nextBytes(edit);
                out.write(ByteBuffer.wrap(edit), SIZE / edits * i + SIZE / edits / 2);
            }
        }
        return copy;
    }

    private static Digest copyHashing(InputStream in, Path to) throws IOException {
        MessageDigest sha256 = Digest.sha256();
        try (OutputStream out = Files.newOutputStream(to)) {
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return new Digest(HexFormat.of().formatHex(sha256.digest()));
    }

    private static Digest digestOf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return copyHashing(in, Path.of("/dev/null"));
        }
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }

    private static void bench(String where, String format, Object... args) {
        System.out.println("BENCH delta " + where + ": " + String.format(Locale.ROOT, format, args));
    }
}
