package dev.slipway.cas.chunk;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.slipway.cas.blob.BlobStore;
import dev.slipway.cas.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How a blob is cut into chunks: the whole blob's digest and size, then each chunk's digest and length in order,
 * so a reader that holds some of the chunks (in an earlier version) reads only the others, as ranges of the
 * blob. Stored as a blob of its own, in text:
 * <pre>
 * slipway-chunks/1 fastcdc/4096/16384/65536
 * HEX-OF-THE-WHOLE SIZE
 * HEX-OF-CHUNK-1 LENGTH
 * ...
 * </pre>
 * An index is a hint, never a source of trust: whoever assembles a blob from it still checks the whole blob's
 * digest. It is parsed strictly all the same (lengths within the chunker's bounds, summing to the size), so a
 * hostile one is refused before anything is fetched for it.
 */
public record ChunkIndex(Digest whole, long size, List<Chunk> chunks) {

    private static final Pattern LENGTH = Pattern.compile("0|[1-9][0-9]{0,18}");
    public static final String HEADER = "slipway-chunks/1 " + Chunker.NAME;
    /** About 900,000 chunks, a blob of some 14 GiB: an index beyond it is refused unread, and never stored. */
    public static final int MAX_BYTES = 64 * 1024 * 1024;

    /** One chunk: {@code length} bytes of the blob that hash to {@code digest}. */
    public record Chunk(Digest digest, int length) {
    }

    public ChunkIndex {
        chunks = List.copyOf(chunks);
    }

    /** Cuts a stream with {@link Chunker} and indexes it. */
    public static ChunkIndex of(InputStream in) throws IOException {
        List<Chunk> chunks = new ArrayList<>();
        var whole = Digest.sha256();
        long[] size = {0};
        Chunker.split(in, (bytes, offset, length) -> {
            whole.update(bytes, offset, length);
            chunks.add(new Chunk(Digest.of(bytes, offset, length), length));
            size[0] += length;
        });
        return new ChunkIndex(new Digest(HexFormat.of().formatHex(whole.digest())), size[0], chunks);
    }

    /**
     * Indexes a file and stores the index as a blob. Blocking I/O.
     *
     * @return null when the file is too large for an index of at most {@link #MAX_BYTES}
     */
    public static Stored store(BlobStore store, Path file) throws IOException {
        ChunkIndex index;
        try (InputStream in = Files.newInputStream(file)) {
            index = of(in);
        }
        byte[] encoded = index.encode();
        if (encoded.length > MAX_BYTES) {
            return null;
        }
        Digest digest = Digest.of(encoded);
        store.write(digest, new ByteArrayInputStream(encoded));
        return new Stored(digest, index);
    }

    /** An index and the digest it is stored under. */
    public record Stored(Digest digest, ChunkIndex index) {
    }

    /** Offset of each chunk in the whole blob: {@code offsets()[i]} is where chunk {@code i} starts. */
    public long[] offsets() {
        long[] offsets = new long[chunks.size()];
        long at = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = at;
            at += chunks.get(i).length();
        }
        return offsets;
    }

    public byte[] encode() {
        StringBuilder text = new StringBuilder(HEADER.length() + 80 * (chunks.size() + 1));
        text.append(HEADER).append('\n').append(whole.hex()).append(' ').append(size).append('\n');
        for (Chunk chunk : chunks) {
            text.append(chunk.digest().hex()).append(' ').append(chunk.length()).append('\n');
        }
        return text.toString().getBytes(UTF_8);
    }

    /**
     * Reads an index, at most {@link #MAX_BYTES} of it.
     *
     * @throws InvalidChunkIndexException saying what is wrong, for anything but a well-formed index of this format
     */
    public static ChunkIndex parse(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            throw new InvalidChunkIndexException("larger than " + MAX_BYTES + " bytes");
        }
        String text;
        try {
            text = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidChunkIndexException("not UTF-8");
        }
        if (!text.endsWith("\n")) {
            throw new InvalidChunkIndexException("does not end with a newline (truncated?)");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw new InvalidChunkIndexException("first line is not '" + HEADER + "'");
        }
        if (lines.length < 2) {
            throw new InvalidChunkIndexException("names no blob");
        }
        String[] head = fields(lines[1], 2);
        Digest whole = digest(head[0], 2);
        long size = number(head[1], Long.MAX_VALUE, 2);
        List<Chunk> chunks = new ArrayList<>(lines.length - 2);
        long sum = 0;
        for (int i = 2; i < lines.length; i++) {
            String[] fields = fields(lines[i], i + 1);
            int length = (int) number(fields[1], Chunker.MAX, i + 1);
            if (length == 0) {
                throw new InvalidChunkIndexException("line " + (i + 1) + ": a chunk of 0 bytes");
            }
            chunks.add(new Chunk(digest(fields[0], i + 1), length));
            sum += length;
        }
        if (sum != size) {
            throw new InvalidChunkIndexException("chunks add up to " + sum + " bytes, not the " + size + " it names");
        }
        return new ChunkIndex(whole, size, chunks);
    }

    private static String[] fields(String line, int number) throws InvalidChunkIndexException {
        String[] fields = line.split(" ", -1);
        if (fields.length != 2) {
            throw new InvalidChunkIndexException("line " + number + " is not 'HEX LENGTH'");
        }
        return fields;
    }

    private static Digest digest(String hex, int line) throws InvalidChunkIndexException {
        try {
            return new Digest(hex);
        } catch (IllegalArgumentException e) {
            throw new InvalidChunkIndexException("line " + line + ": " + e.getMessage());
        }
    }

    private static long number(String text, long max, int line) throws InvalidChunkIndexException {
        if (!LENGTH.matcher(text).matches()) {
            throw new InvalidChunkIndexException("line " + line + ": '" + text + "' is not a length");
        }
        try {
            long value = Long.parseLong(text);
            if (value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // beyond a long: as out of bounds as any other
        }
        throw new InvalidChunkIndexException("line " + line + ": " + text + " is more than " + max);
    }
}
