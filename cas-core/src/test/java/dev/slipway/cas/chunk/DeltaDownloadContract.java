package dev.slipway.cas.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.blob.BlobNotFoundException;
import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.blob.CountingBlobStore;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delta downloads against one kind of store: the missing chunks are ranges of the blob, which every store serves. */
abstract class DeltaDownloadContract {

    private static final int SIZE = 12 * 1024 * 1024;

    @TempDir
    Path dir;

    private BlobStore store;
    private byte[] v1;
    private byte[] v2;
    private Path v1File;

    /** A new store with nothing in it. */
    abstract BlobStore emptyStore() throws IOException;

    /** Replaces the stored bytes of {@code digest}, bypassing the store's verification. */
    abstract void corrupt(Digest digest, byte[] bytes) throws IOException;

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
    void aReaderHoldingTheLastVersionReadsOnlyTheChunksAroundTheEdits() throws IOException {
        ChunkIndex wanted = store(v2);
        CountingBlobStore counted = new CountingBlobStore(store);

        DeltaDownload.Plan plan = DeltaDownload.plan(wanted, List.of(local(v1File)));
        try (InputStream in = DeltaDownload.open(plan, counted)) {
            assertArrayEquals(v2, in.readAllBytes());
        }

        assertEquals(plan.bytesToFetch(), counted.bytesRead(), "the store served the planned ranges and no more");
        assertEquals(plan.ranges(), counted.opened());
        assertTrue(plan.bytesToFetch() < SIZE / 10, "read " + plan.bytesToFetch() + " bytes");
        assertTrue(plan.ranges() >= 4, "one range or more per edit: " + plan.ranges());
    }

    @Test
    void aReaderWithNothingLocalReadsTheBlobInRangesOfAtMostTheLimit() throws IOException {
        ChunkIndex wanted = store(v2);
        CountingBlobStore counted = new CountingBlobStore(store);

        DeltaDownload.Plan plan = DeltaDownload.plan(wanted, List.of());
        try (InputStream in = DeltaDownload.open(plan, counted)) {
            assertArrayEquals(v2, in.readAllBytes());
        }

        assertEquals(SIZE, counted.bytesRead());
        assertTrue(plan.ranges() >= 3 && plan.ranges() <= 4, plan.ranges() + " ranges of at most 4 MiB for 12 MiB");
        for (DeltaDownload.Part part : plan.parts()) {
            assertTrue(((DeltaDownload.Part.Fetched) part).length() <= DeltaDownload.MAX_RANGE);
        }
    }

    @Test
    void aLocalFileChangedSinceItWasIndexedFailsTheWholeDigest() throws IOException {
        DeltaDownload.Plan plan = DeltaDownload.plan(store(v2), List.of(local(v1File)));
        byte[] damaged = v1.clone();
        damaged[SIZE / 3] ^= 1;
        Files.write(v1File, damaged);

        try (InputStream in = DeltaDownload.open(plan, store)) {
            assertThrows(DigestMismatchException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
        }
    }

    @Test
    void anIndexThatLiesAboutItsChunksIsCaughtAtTheFirstRangeThatDisagrees() throws IOException {
        ChunkIndex honest = store(v2);
        List<ChunkIndex.Chunk> swapped = new ArrayList<>(honest.chunks());
        Collections.swap(swapped, 1, 2);
        ChunkIndex lying = new ChunkIndex(honest.whole(), honest.size(), swapped);

        try (InputStream in = DeltaDownload.open(DeltaDownload.plan(lying, List.of()), store)) {
            IOException refused = assertThrows(IOException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
            assertTrue(refused.getMessage().contains("its index names"), refused.getMessage());
        }
    }

    @Test
    void aBlobDamagedInTheStoreFailsInTheRangeThatHoldsTheDamage() throws IOException {
        ChunkIndex wanted = store(v2);
        byte[] damaged = v2.clone();
        damaged[512 * 1024 + 10] ^= 1;
        corrupt(wanted.whole(), damaged);

        try (InputStream in = DeltaDownload.open(DeltaDownload.plan(wanted, List.of(local(v1File))), store)) {
            IOException refused = assertThrows(IOException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
            assertTrue(refused.getMessage().contains("a damaged blob"), refused.getMessage());
        }
    }

    @Test
    void aBlobTheStoreLostFailsTheDownload() throws IOException {
        ChunkIndex wanted = store(v2);
        store.delete(wanted.whole());

        try (InputStream in = DeltaDownload.open(DeltaDownload.plan(wanted, List.of(local(v1File))), store)) {
            assertThrows(BlobNotFoundException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
        }
    }

    /** Stores the blob and its index, as a builder does; the index as read back from the store. */
    private ChunkIndex store(byte[] blob) throws IOException {
        store.write(Digest.of(blob), new ByteArrayInputStream(blob));
        ChunkIndex.Stored stored = ChunkIndex.store(store, Files.write(dir.resolve("upload"), blob));
        assertEquals(Digest.of(blob), stored.index().whole());
        try (InputStream in = store.open(stored.digest())) {
            return ChunkIndex.parse(in);
        }
    }

    private static DeltaDownload.Local local(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new DeltaDownload.Local(file, ChunkIndex.of(in));
        }
    }
}
