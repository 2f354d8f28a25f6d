package dev.slipway.cas.blob;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobScrubberTest {

    @TempDir
    Path root;

    @Test
    void quarantinesExactlyTheBlobsDamagedAtRestAndKeepsTheirBytesForInspection() throws Exception {
        BlobStoreFileSystem store = new BlobStoreFileSystem(root);
        byte[] good = "good".getBytes(UTF_8);
        byte[] doomed = "doomed".getBytes(UTF_8);
        store.write(Digest.of(good), new ByteArrayInputStream(good));
        store.write(Digest.of(doomed), new ByteArrayInputStream(doomed));
        Path file = store.pathOf(Digest.of(doomed));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(file, "rotten".getBytes(UTF_8));

        BlobScrubber.Report report = new BlobScrubber(store).scrub();

        assertEquals(List.of(Digest.of(doomed)), report.quarantined());
        assertEquals(1, report.blobs());
        assertEquals(good.length, report.bytes());
        assertFalse(store.exists(Digest.of(doomed)));
        assertEquals("rotten", Files.readString(root.resolve("quarantine").resolve(Digest.of(doomed).hex())));
        assertTrue(store.exists(Digest.of(good)));

        assertTrue(store.write(Digest.of(doomed), new ByteArrayInputStream(doomed)), "a new upload repairs it");
        try (InputStream in = store.open(Digest.of(doomed))) {
            assertArrayEquals(doomed, in.readAllBytes());
        }
    }
}
