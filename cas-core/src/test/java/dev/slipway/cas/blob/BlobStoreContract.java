package dev.slipway.cas.blob;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.digest.CorruptBlobException;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlobStore} backend must do, hostile input included. A backend's test extends this class
 * and supplies a fresh, empty store and a way to damage a stored blob behind the store's back.
 */
abstract class BlobStoreContract {

    static final byte[] HELLO = "hello, content-addressed world".getBytes(UTF_8);
    static final Digest HELLO_NAME = Digest.of(HELLO);

    BlobStore store;

    /** A new store with nothing in it. */
    abstract BlobStore emptyStore() throws Exception;

    /** Replaces the stored bytes of {@code digest} with {@code bytes}, bypassing the store's verification. */
    abstract void corrupt(Digest digest, byte[] bytes) throws Exception;

    @BeforeEach
    void createStore() throws Exception {
        store = emptyStore();
    }

    @Test
    void storesABlobUnderItsNameAndReadsItBack() throws Exception {
        assertTrue(store.write(HELLO_NAME, new ByteArrayInputStream(HELLO)));

        assertArrayEquals(HELLO, readAll(HELLO_NAME));
        assertEquals(OptionalLong.of(HELLO.length), store.size(HELLO_NAME));
        assertTrue(store.exists(HELLO_NAME));
    }

    @Test
    void aRangeReadIsTheBytesAtItsOffsetAndStopsAtTheEnd() throws Exception {
        byte[] blob = new byte[300_000];
        new java.util.Random(3).nextBytes(blob);
        Digest name = Digest.of(blob);
        store.write(name, new ByteArrayInputStream(blob));

        assertArrayEquals(java.util.Arrays.copyOfRange(blob, 123_456, 123_456 + 70_000),
                store.readRange(name, 123_456, 70_000));
        assertArrayEquals(java.util.Arrays.copyOfRange(blob, 299_990, 300_000), store.readRange(name, 299_990, 100));
        assertArrayEquals(new byte[0], store.readRange(name, 5, 0));
        assertThrows(BlobNotFoundException.class, () -> store.readRange(Digest.of(new byte[1]), 0, 1));
    }

    @Test
    void writingABlobItAlreadyHasChangesNothing() throws Exception {
        store.write(HELLO_NAME, new ByteArrayInputStream(HELLO));

        assertFalse(store.write(HELLO_NAME, new ByteArrayInputStream(HELLO)));
        assertArrayEquals(HELLO, readAll(HELLO_NAME));
    }

    @Test
    void rejectsBytesWhoseDigestDoesNotMatchAndStoresNothing() throws Exception {
        Digest otherName = Digest.of("something else".getBytes(UTF_8));

        DigestMismatchException error = assertThrows(DigestMismatchException.class,
                () -> store.write(otherName, new ByteArrayInputStream(HELLO)));

        assertEquals(otherName, error.expected());
        assertEquals(HELLO_NAME, error.actual());
        assertFalse(store.exists(otherName));
        assertEquals(Set.of(), listed());
    }

    @Test
    void aMismatchedUploadUnderAnExistingNameLeavesTheStoredBlobIntact() throws Exception {
        store.write(HELLO_NAME, new ByteArrayInputStream(HELLO));

        assertThrows(DigestMismatchException.class,
                () -> store.write(HELLO_NAME, new ByteArrayInputStream("impostor".getBytes(UTF_8))));

        assertArrayEquals(HELLO, readAll(HELLO_NAME));
    }

    @Test
    void anUploadCutOffHalfWayLeavesNothingBehind() throws Exception {
        InputStream cut = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent == 10) {
                    throw new IOException("connection reset by peer");
                }
                return HELLO[sent++];
            }
        };

        assertThrows(IOException.class, () -> store.write(HELLO_NAME, cut));

        assertFalse(store.exists(HELLO_NAME));
        assertEquals(Set.of(), listed());
    }

    @Test
    void aMissingBlobIsReportedByName() {
        BlobNotFoundException error = assertThrows(BlobNotFoundException.class, () -> store.open(HELLO_NAME));

        assertEquals(HELLO_NAME, error.digest());
        assertEquals(OptionalLong.empty(), assertDoesNotThrowSize());
    }

    @Test
    void servesAByteRange() throws Exception {
        store.write(HELLO_NAME, new ByteArrayInputStream(HELLO));

        try (InputStream range = store.open(HELLO_NAME, 7, 7)) {
            assertEquals("content", new String(range.readAllBytes(), UTF_8));
        }
        try (InputStream tail = store.open(HELLO_NAME, HELLO.length - 5, 100)) {
            assertEquals("world", new String(tail.readAllBytes(), UTF_8));
        }
    }

    @Test
    void neverServesACorruptBlobAsGoodWholeOrInPart() throws Exception {
        store.write(HELLO_NAME, new ByteArrayInputStream(HELLO));
        byte[] damaged = HELLO.clone();
        damaged[damaged.length - 1] ^= 1;
        corrupt(HELLO_NAME, damaged);

        CorruptBlobException whole = assertThrows(CorruptBlobException.class, () -> readAll(HELLO_NAME));
        assertEquals(HELLO_NAME, whole.expected());
        assertThrows(CorruptBlobException.class, () -> {
            try (InputStream range = store.open(HELLO_NAME, 0, 5)) {
                range.readAllBytes();
            }
        });
    }

    @Test
    void aCorruptBlobIsRepairedByWritingItAgain() throws Exception {
        store.write(HELLO_NAME, new ByteArrayInputStream(HELLO));
        corrupt(HELLO_NAME, "rot".getBytes(UTF_8));

        store.write(HELLO_NAME, new ByteArrayInputStream(HELLO));

        assertArrayEquals(HELLO, readAll(HELLO_NAME));
    }

    @Test
    void concurrentUploadsOfTheSameBlobAllSucceedAndLeaveOneIntactCopy() throws Exception {
        long size = 3L * 1024 * 1024;
        Digest name = GeneratedBytes.digestOf(7, size);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> writes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                writes.add(pool.submit((Callable<Boolean>) () -> store.write(name, new GeneratedBytes(7, size))));
            }
            int created = 0;
            for (Future<Boolean> write : writes) {
                created += write.get() ? 1 : 0;
            }
            assertTrue(created >= 1, "at least one writer stored it");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(OptionalLong.of(size), store.size(name));
        assertEquals(name, digestOfStored(name));
        assertEquals(Set.of(name), listed());
    }

    @Test
    void streamsABlobLargerThanAnyBuffer() throws Exception {
        long size = 40L * 1024 * 1024 + 123;
        Digest name = GeneratedBytes.digestOf(42, size);

        assertTrue(store.write(name, new GeneratedBytes(42, size)));

        assertEquals(OptionalLong.of(size), store.size(name));
        assertEquals(name, digestOfStored(name));
    }

    @Test
    void aLargeUploadThatFailsPartWayLeavesNothingBehind() throws Exception {
        long size = 20L * 1024 * 1024 + 7;
        Digest name = GeneratedBytes.digestOf(7, size);
        InputStream cutAfterTwelveMiB = new FilterInputStream(new GeneratedBytes(7, size)) {
            private long sent;

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (sent >= 12L * 1024 * 1024) {
                    throw new IOException("connection reset by peer");
                }
                int n = super.read(buffer, offset, (int) Math.min(length, 12L * 1024 * 1024 - sent));
                sent += Math.max(n, 0);
                return n;
            }
        };

        assertThrows(IOException.class, () -> store.write(name, cutAfterTwelveMiB));
        assertThrows(DigestMismatchException.class, () -> store.write(name, new GeneratedBytes(8, size)));

        assertFalse(store.exists(name));
        assertEquals(Set.of(), listed());
    }

    @Test
    void listsAndDeletesBlobs() throws Exception {
        Digest other = Digest.of("other".getBytes(UTF_8));
        store.write(HELLO_NAME, new ByteArrayInputStream(HELLO));
        store.write(other, new ByteArrayInputStream("other".getBytes(UTF_8)));

        assertEquals(Set.of(HELLO_NAME, other), listed());
        assertTrue(store.delete(other));
        assertFalse(store.delete(other));
        assertEquals(Set.of(HELLO_NAME), listed());
    }

    private OptionalLong assertDoesNotThrowSize() {
        try {
            return store.size(HELLO_NAME);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private byte[] readAll(Digest digest) throws IOException {
        try (InputStream in = store.open(digest)) {
            return in.readAllBytes();
        }
    }

    private Digest digestOfStored(Digest digest) throws IOException {
        var sha256 = Digest.sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = store.open(digest)) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sha256.update(buffer, 0, n);
            }
        }
        return new Digest(java.util.HexFormat.of().formatHex(sha256.digest()));
    }

    private Set<Digest> listed() throws IOException {
        try (Stream<Digest> digests = store.list()) {
            return digests.collect(Collectors.toSet());
        }
    }
}
