package dev.slipway.cas.chunk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cas.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkIndexTest {

    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @Test
    void anIndexReadsBackAsWritten() throws IOException {
        byte[] blob = ChunkerTest.random(5, 1024 * 1024);
        ChunkIndex index = ChunkIndex.of(new ByteArrayInputStream(blob));

        ChunkIndex read = ChunkIndex.parse(new ByteArrayInputStream(index.encode()));

        assertEquals(index, read);
        assertEquals(Digest.of(blob), read.whole());
        assertEquals(blob.length, read.size());
        long[] offsets = read.offsets();
        for (int i = 0; i < offsets.length; i++) {
            int length = read.chunks().get(i).length();
            byte[] chunk = Arrays.copyOfRange(blob, (int) offsets[i], (int) offsets[i] + length);
            assertEquals(read.chunks().get(i).digest(), Digest.of(chunk));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "slipway-chunks/2 fastcdc/4096/16384/65536\nAAA 3\n",
        "slipway-chunks/1 fastcdc/16384/65536/262144\nAAA 3\nAAA 3\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 3\nBBB 3",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 3\nBBB 2\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 3\nBBB 0\nBBB 3\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 3\nBBB -3\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 3\nBBB 03\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 3\nBBB 3 x\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 3\nBBB  3\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 3\nCCC 3\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 3\nBBB\u00003\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 65537\nBBB 65537\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\nAAA 99999999999999999999\nBBB 3\n",
        "slipway-chunks/1 fastcdc/4096/16384/65536\r\nAAA 3\r\nBBB 3\r\n",
    })
    void anythingButAWellFormedIndexIsRefused(String text) {
        String index = text.replace("AAA", A).replace("BBB", B).replace("CCC", B.toUpperCase());
        InvalidChunkIndexException refused = assertThrows(InvalidChunkIndexException.class,
                () -> ChunkIndex.parse(new ByteArrayInputStream(index.getBytes(UTF_8))));
        assertTrue(refused.getMessage().startsWith("chunk index: "), refused.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        byte[] bytes = (ChunkIndex.HEADER + "\n" + A + " 3\n" + B + " 3\n").getBytes(UTF_8);
        bytes[bytes.length - 3] = (byte) 0xff;
        InvalidChunkIndexException refused = assertThrows(InvalidChunkIndexException.class,
                () -> ChunkIndex.parse(new ByteArrayInputStream(bytes)));
        assertTrue(refused.getMessage().contains("UTF-8"), refused.getMessage());
    }

    @Test
    void anOversizedIndexIsRefusedWithoutReadingItAll() {
        byte[] huge = new byte[ChunkIndex.MAX_BYTES + 10];
        InvalidChunkIndexException refused = assertThrows(InvalidChunkIndexException.class,
                () -> ChunkIndex.parse(new ByteArrayInputStream(huge)));
        assertTrue(refused.getMessage().contains("larger than"), refused.getMessage());
    }

    @Test
    void theEmptyBlobHasAnIndexOfNoChunks() throws IOException {
        ChunkIndex empty = ChunkIndex.of(new ByteArrayInputStream(new byte[0]));
        assertTrue(empty.chunks().isEmpty());
        assertEquals(empty, ChunkIndex.parse(new ByteArrayInputStream(empty.encode())));
    }
}
