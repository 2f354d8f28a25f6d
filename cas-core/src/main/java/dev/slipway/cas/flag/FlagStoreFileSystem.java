package dev.slipway.cas.flag;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Flag documents as {@code <root>/flags/v1/<first two hex>/<hex>.json}, versioned by the hash of their bytes.
 * A replace holds a lock on {@code <hex>.lock} (an OS file lock, so other processes sharing the directory wait
 * too, plus an in-process lock, since the OS lock is per process), compares versions, and swaps the document
 * in by fsync and atomic rename.
 */
public final class FlagStoreFileSystem implements FlagStore {

    private final Path root;
    private final ConcurrentHashMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();

    public FlagStoreFileSystem(Path storeRoot) throws IOException {
        this.root = Files.createDirectories(storeRoot.resolve("flags").resolve("v1"));
    }

    @Override
    public Versioned read(Digest recipe) throws IOException {
        try {
            byte[] json = Files.readAllBytes(pathOf(recipe));
            return new Versioned(FlagJson.read(recipe, json), FlagJson.versionOf(json));
        } catch (NoSuchFileException e) {
            return new Versioned(Flags.none(recipe), null);
        }
    }

    @Override
    public boolean replace(Digest recipe, String expectedVersion, Flags next) throws IOException {
        Path document = pathOf(recipe);
        Path directory = Files.createDirectories(document.getParent());
        ReentrantLock inProcess = locks.computeIfAbsent(document, path -> new ReentrantLock());
        inProcess.lock();
        try (FileChannel lockFile = FileChannel.open(directory.resolve(recipe.hex() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lockFile.lock()) {
            if (!Objects.equals(read(recipe).version(), expectedVersion)) {
                return false;
            }
            Path temp = directory.resolve(".incoming-" + UUID.randomUUID());
            try {
                try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    out.write(ByteBuffer.wrap(FlagJson.write(next)));
                    out.force(true);
                }
                Files.move(temp, document, StandardCopyOption.ATOMIC_MOVE);
                try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                    dir.force(true);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            return true;
        } finally {
            inProcess.unlock();
        }
    }

    private Path pathOf(Digest recipe) {
        return root.resolve(recipe.hex().substring(0, 2)).resolve(recipe.hex() + ".json");
    }
}
