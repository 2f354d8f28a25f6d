package dev.slipway.cas.digest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {

    private static final byte[] BYTES = "the bytes of a blob".getBytes(UTF_8);
    private static final Digest NAME = Digest.of(BYTES);

    @Test
    void passesEveryByteOfAMatchingBlob() throws Exception {
        try (InputStream in = VerifyingInputStream.ofUpload(new ByteArrayInputStream(BYTES), NAME)) {
            assertArrayEquals(BYTES, in.readAllBytes());
        }
    }

    @Test
    void failsATruncatedUploadAtItsEnd() {
        byte[] truncated = java.util.Arrays.copyOf(BYTES, BYTES.length - 3);
        InputStream in = VerifyingInputStream.ofUpload(new ByteArrayInputStream(truncated), NAME);

        DigestMismatchException error = assertThrows(DigestMismatchException.class, in::readAllBytes);

        assertEquals(NAME, error.expected());
        assertEquals(Digest.of(truncated), error.actual());
        assertEquals(truncated.length, error.bytes());
    }

    @Test
    void reportsDamagedStoredBytesAsCorruptAndSaysWhere() {
        byte[] damaged = BYTES.clone();
        damaged[4] ^= 1;
        InputStream in = VerifyingInputStream.ofStored(new ByteArrayInputStream(damaged), NAME, "/store/v1/ab/x");

        CorruptBlobException error = assertThrows(CorruptBlobException.class, in::readAllBytes);

        assertEquals(true, error.getMessage().contains("/store/v1/ab/x"), error.getMessage());
    }

    @Test
    void skippedBytesAreStillHashed() throws Exception {
        byte[] damaged = BYTES.clone();
        damaged[0] ^= 1;
        InputStream in = VerifyingInputStream.ofStored(new ByteArrayInputStream(damaged), NAME, "here");

        assertEquals(5, in.skip(5));
        assertThrows(CorruptBlobException.class, in::readAllBytes);
    }
}
