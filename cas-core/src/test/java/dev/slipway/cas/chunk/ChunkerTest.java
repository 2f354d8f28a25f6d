package dev.slipway.cas.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    @Test
    void chunksStayWithinTheirBoundsAndConcatenateToTheInput() throws IOException {
        byte[] input = random(1, 8 * 1024 * 1024 + 12_345);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        List<Integer> lengths = new ArrayList<>();
        Chunker.split(new ByteArrayInputStream(input), (bytes, offset, length) -> {
            joined.write(bytes, offset, length);
            lengths.add(length);
        });

        assertArrayEquals(input, joined.toByteArray());
        for (int length : lengths.subList(0, lengths.size() - 1)) {
            assertTrue(length >= Chunker.MIN && length <= Chunker.MAX, length + " bytes");
        }
        int last = lengths.get(lengths.size() - 1);
        assertTrue(last >= 1 && last <= Chunker.MAX, last + " bytes");
        double average = (double) input.length / lengths.size();
        assertTrue(average > Chunker.AVERAGE * 0.6 && average < Chunker.AVERAGE * 1.4,
                "normalized chunking keeps sizes near the average; got " + average);
    }

    @Test
    void theCutsDoNotDependOnHowTheStreamDeliversItsBytes() throws IOException {
        byte[] input = random(2, 3 * 1024 * 1024);
        assertEquals(lengths(new ByteArrayInputStream(input)), lengths(trickling(input)));
    }

    @Test
    void anEditChangesOnlyTheChunksAroundIt() throws IOException {
        byte[] before = random(3, 16 * 1024 * 1024);
        byte[] after = new byte[before.length + 100];
        int at = before.length / 2;
        System.arraycopy(before, 0, after, 0, at);
        System.arraycopy(random(4, 100), 0, after, at, 100);
        System.arraycopy(before, at, after, at + 100, before.length - at);

        ChunkIndex old = ChunkIndex.of(new ByteArrayInputStream(before));
        ChunkIndex edited = ChunkIndex.of(new ByteArrayInputStream(after));
        Set<ChunkIndex.Chunk> known = new HashSet<>(old.chunks());
        long fresh = edited.chunks().stream().filter(c -> !known.contains(c)).mapToLong(ChunkIndex.Chunk::length).sum();

        assertTrue(fresh > 0 && fresh <= 2L * Chunker.MAX, "bytes in chunks the old version lacks: " + fresh);
    }

    @Test
    void emptyAndTinyInputsAreOneChunkOrNone() throws IOException {
        assertEquals(List.of(), lengths(new ByteArrayInputStream(new byte[0])));
        assertEquals(List.of(5), lengths(new ByteArrayInputStream(new byte[5])));
        assertEquals(List.of(Chunker.MIN), lengths(new ByteArrayInputStream(new byte[Chunker.MIN])));
    }

    @Test
    void aRunOfOneByteValueIsCutIntoEqualChunksWithinTheBounds() throws IOException {
        // The gear hash of a constant run settles on one value: it meets the masks at the same place every time,
        // or never (then every cut is at the maximum). Either way the cuts repeat, so equal runs dedupe.
        List<Integer> lengths = lengths(new ByteArrayInputStream(new byte[3 * Chunker.MAX]));
        assertEquals(3 * Chunker.MAX, lengths.stream().mapToInt(Integer::intValue).sum());
        assertTrue(lengths.get(0) >= Chunker.MIN && lengths.get(0) <= Chunker.MAX, lengths.get(0) + " bytes");
        assertEquals(List.of(lengths.get(0)), lengths.subList(0, lengths.size() - 1).stream().distinct().toList(),
                "every chunk but the last as long as the first: " + lengths);
    }

    static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static List<Integer> lengths(InputStream in) throws IOException {
        List<Integer> lengths = new ArrayList<>();
        Chunker.split(in, (bytes, offset, length) -> lengths.add(length));
        return lengths;
    }

    /** Hands out at most 1,000 bytes a read, as a slow socket does. */
    private static InputStream trickling(byte[] input) {
        return new FilterInputStream(new ByteArrayInputStream(input)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1000));
            }
        };
    }
}
