package dev.slipway.cas.blob;

import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Blobs as files under {@code <root>/v1/<first two hex>/<hex>}; the layout version is in the path so a
 * future layout can live beside this one.
 *
 * <p>A write streams through the verifier into a temporary file in the blob's own directory, fsyncs it, and
 * renames it into place (atomic on POSIX), then fsyncs the directory: a crash leaves either no blob or the
 * whole verified blob, and a reader never sees a partial one. Two writers of one blob each rename identical
 * bytes, so the last rename wins harmlessly. Stored files are read-only.
 */
public final class BlobStoreFileSystem implements BlobStore {

    static final String LAYOUT = "v1";
    private static final String TEMP_PREFIX = ".incoming-";
    private static final ThreadLocal<byte[]> COPY_BUFFER = ThreadLocal.withInitial(() -> new byte[1024 * 1024]);
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private final Path root;

    public BlobStoreFileSystem(Path root) throws IOException {
        this.root = Files.createDirectories(root.resolve(LAYOUT));
    }

    @Override
    public OptionalLong size(Digest digest) throws IOException {
        try {
            return OptionalLong.of(Files.size(pathOf(digest)));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        Path path = pathOf(digest);
        try {
            return VerifyingInputStream.ofStored(Files.newInputStream(path), digest, path.toString());
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(digest);
        }
    }

    @Override
    public byte[] readRange(Digest digest, long offset, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(pathOf(digest), StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate((int) Math.max(0, Math.min(length, channel.size() - offset)));
            while (bytes.hasRemaining() && channel.read(bytes, offset + bytes.position()) >= 0) {
                // until full, or the file ends (truncated under us: the caller's digest fails)
            }
            return bytes.position() == bytes.capacity() ? bytes.array() : Arrays.copyOf(bytes.array(),
                    bytes.position());
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(digest);
        }
    }

    @Override
    public boolean write(Digest expected, InputStream bytes) throws IOException {
        Path target = pathOf(expected);
        Path directory = Files.createDirectories(target.getParent());
        Path temp = directory.resolve(TEMP_PREFIX + UUID.randomUUID());
        try {
            try (InputStream verifying = VerifyingInputStream.ofUpload(bytes, expected);
                    FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(channel)) {
                // 1 MiB at a time (transferTo's 8 KiB costs a system call per 8 KiB of a big blob), in a buffer
                // reused by the thread, so small blobs do not each allocate a megabyte.
                byte[] buffer = COPY_BUFFER.get();
                for (int n; (n = verifying.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                    out.write(buffer, 0, n);
                }
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r--r--r--"));
            boolean existed = Files.exists(target);
            moveIntoPlace(temp, target);
            fsync(directory);
            return !existed;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Stream<Digest> list() throws IOException {
        return Files.walk(root, 2)
                .filter(Files::isRegularFile)
                .map(path -> path.getFileName().toString())
                .filter(name -> HEX.matcher(name).matches())
                .map(Digest::new);
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(pathOf(digest));
    }

    /** Moves the damaged file to {@code <root>/quarantine/<hex>} for inspection. */
    @Override
    public void quarantine(Digest digest) throws IOException {
        Path quarantine = Files.createDirectories(root.resolveSibling("quarantine"));
        try {
            Files.move(pathOf(digest), quarantine.resolve(digest.hex()), StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException alreadyGone) {
            // Deleted or quarantined by someone else meanwhile: out of service either way.
        }
    }

    @Override
    public Optional<Path> file(Digest digest) {
        return Optional.of(pathOf(digest));
    }

    /** Where the blob lives (or would live). */
    public Path pathOf(Digest digest) {
        return root.resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            throw new IOException("cannot rename " + temp + " to " + target + " atomically: keep the store on a local "
                    + "POSIX filesystem", e);
        }
    }

    private static void fsync(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
