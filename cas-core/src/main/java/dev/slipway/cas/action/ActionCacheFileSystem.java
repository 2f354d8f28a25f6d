package dev.slipway.cas.action;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * Bazel's action cache: small entries keyed by an action's digest. Unlike blobs, an entry is not named by its
 * own bytes, so it cannot be verified against its key; it is written whole (temp file, fsync, atomic rename)
 * and replaced by the next write. Files under {@code <root>/v1/<first two hex>/<hex>}.
 */
public final class ActionCacheFileSystem implements ActionCache {

    private final Path root;

    public ActionCacheFileSystem(Path root) throws IOException {
        this.root = Files.createDirectories(root.resolve("v1"));
    }

    @Override
    public Optional<byte[]> get(Digest action) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(pathOf(action)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void put(Digest action, byte[] entry) throws IOException {
        Path target = pathOf(action);
        Path directory = Files.createDirectories(target.getParent());
        Path temp = directory.resolve(".incoming-" + UUID.randomUUID());
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(entry);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private Path pathOf(Digest action) {
        return root.resolve(action.hex().substring(0, 2)).resolve(action.hex());
    }
}
