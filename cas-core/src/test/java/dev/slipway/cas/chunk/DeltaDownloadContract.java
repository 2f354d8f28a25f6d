package dev.slipway.cas.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.blob.BlobNotFoundException;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delta downloads against one kind of store: its chunks are ordinary blobs, so every store serves them. */
abstract class DeltaDownloadContract {

    private static final int SIZE = 12 * 1024 * 1024;

    @TempDir
    Path dir;

    private BlobStore store;
    private byte[] v1;
    private byte[] v2;
    private Path v1File;

    @BeforeEach
    void twoVersions() throws IOException {
        store = emptyStore();
        v1 = ChunkerTest.random(7, SIZE);
        v2 = v1.clone();
        Random edits = new Random(8);
        for (int at = 512 * 1024; at < SIZE; at += 3 * 1024 * 1024) {
            byte[] edit = new byte[2000];
            edits.nextBytes(edit);
            System.arraycopy(edit, 0, v2, at, edit.length);
        }
        v1File = Files.write(dir.resolve("v1"), v1);
    }

    @Test
    void aReaderHoldingTheLastVersionFetchesOnlyTheChunksAroundTheEdits() throws IOException {
        ChunkUpload.Published first = publish(v1);
        ChunkUpload.Published second = publish(v2);
        assertTrue(second.bytesSent() < SIZE / 10, "the second upload sent " + second.bytesSent() + " bytes");

        DeltaDownload.Plan plan = DeltaDownload.plan(index(second.indexDigest()),
                List.of(new DeltaDownload.Local(v1File, localIndex(v1File))));

        assertEquals(second.bytesSent(), plan.bytesToFetch(), "what the reader lacks is what the writer added");
        assertTrue(plan.fetchedShare() < 0.1, "share fetched: " + plan.fetchedShare());
        try (InputStream in = DeltaDownload.open(plan, store)) {
            assertArrayEquals(v2, in.readAllBytes());
        }
        assertEquals(first.index().whole(), Digest.of(v1));
    }

    @Test
    void aReaderWithNothingLocalFetchesEveryChunk() throws IOException {
        ChunkUpload.Published published = publish(v2);
        DeltaDownload.Plan plan = DeltaDownload.plan(published.index(), List.of());

        assertEquals(SIZE, plan.bytesToFetch());
        try (InputStream in = DeltaDownload.open(plan, store)) {
            assertArrayEquals(v2, in.readAllBytes());
        }
    }

    @Test
    void publishingTheSameBlobTwiceSendsNoChunkTheSecondTime() throws IOException {
        assertEquals(SIZE, publish(v1).bytesSent());
        assertEquals(0, publish(v1).bytesSent());
    }

    @Test
    void aLocalFileChangedSinceItWasIndexedFailsTheWholeDigest() throws IOException {
        ChunkUpload.Published published = publish(v2);
        DeltaDownload.Plan plan = DeltaDownload.plan(published.index(),
                List.of(new DeltaDownload.Local(v1File, localIndex(v1File))));
        byte[] damaged = v1.clone();
        damaged[SIZE / 3] ^= 1;
        Files.write(v1File, damaged);

        try (InputStream in = DeltaDownload.open(plan, store)) {
            assertThrows(DigestMismatchException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
        }
    }

    @Test
    void anIndexThatLiesAboutItsChunksFailsTheWholeDigest() throws IOException {
        ChunkUpload.Published published = publish(v2);
        ChunkIndex honest = published.index();
        List<ChunkIndex.Chunk> swapped = new java.util.ArrayList<>(honest.chunks());
        java.util.Collections.swap(swapped, 1, 2);
        ChunkIndex lying = new ChunkIndex(honest.whole(), honest.size(), swapped);

        try (InputStream in = DeltaDownload.open(DeltaDownload.plan(lying, List.of()), store)) {
            assertThrows(DigestMismatchException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
        }
    }

    @Test
    void aChunkTheStoreLostFailsTheDownload() throws IOException {
        ChunkUpload.Published published = publish(v2);
        store.delete(published.index().chunks().get(5).digest());

        try (InputStream in = DeltaDownload.open(DeltaDownload.plan(published.index(), List.of()), store)) {
            assertThrows(BlobNotFoundException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
        }
    }

    abstract BlobStore emptyStore() throws IOException;

    private ChunkUpload.Published publish(byte[] blob) throws IOException {
        Path file = Files.write(dir.resolve("upload"), blob);
        store.write(Digest.of(blob), new ByteArrayInputStream(blob));
        ChunkUpload.Published published = ChunkUpload.publish(store, file);
        assertEquals(Digest.of(blob), published.index().whole());
        return published;
    }

    private ChunkIndex index(Digest digest) throws IOException {
        try (InputStream in = store.open(digest)) {
            return ChunkIndex.parse(in);
        }
    }

    private static ChunkIndex localIndex(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ChunkIndex.of(in, (chunk, bytes, offset) -> { });
        }
    }
}
