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
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Flag documents as {@code <root>/flags/v1/<first two hex>/<hex>.json}, channel states as
 * {@code <root>/flags/sets/v1/<set>.json}, each versioned by the hash of its bytes.
 * A replace holds a lock on {@code <hex>.lock} (an OS file lock, so other processes sharing the directory wait
 * too, plus an in-process lock, since the OS lock is per process), compares versions, and swaps the document
 * in by fsync and atomic rename.
 */
public final class FlagStoreFileSystem implements FlagStore {

    /** What the event schemas allow: never a path separator, never a name starting with a dot. */
    static final Pattern SET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path root;
    private final Path sets;
    private final Path pending;
    private final ConcurrentHashMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();

    public FlagStoreFileSystem(Path storeRoot) throws IOException {
        this.root = Files.createDirectories(storeRoot.resolve("flags").resolve("v1"));
        this.sets = Files.createDirectories(storeRoot.resolve("flags").resolve("sets").resolve("v1"));
        this.pending = storeRoot.resolve("flags").resolve("agreements").resolve("pending.json");
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
        return replace(pathOf(recipe), expectedVersion, FlagJson.write(next));
    }

    @Override
    public Document readChannelState(String deploymentSet) throws IOException {
        return document(stateOf(deploymentSet));
    }

    @Override
    public Document readPendingAgreements() throws IOException {
        return document(pending);
    }

    @Override
    public boolean replacePendingAgreements(String expectedVersion, byte[] document) throws IOException {
        return replace(pending, expectedVersion, document);
    }

    private static Document document(Path file) throws IOException {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return new Document(bytes, FlagJson.versionOf(bytes));
        } catch (NoSuchFileException e) {
            return new Document(null, null);
        }
    }

    @Override
    public boolean replaceChannelState(String deploymentSet, String expectedVersion, byte[] envelope)
            throws IOException {
        return replace(stateOf(deploymentSet), expectedVersion, envelope);
    }

    @Override
    public List<String> channelStateSets() throws IOException {
        try (Stream<Path> files = Files.list(sets)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
        }
    }

    private boolean replace(Path document, String expectedVersion, byte[] bytes) throws IOException {
        Path directory = Files.createDirectories(document.getParent());
        ReentrantLock inProcess = locks.computeIfAbsent(document, path -> new ReentrantLock());
        inProcess.lock();
        String name = document.getFileName().toString();
        try (FileChannel lockFile = FileChannel.open(directory.resolve(name.replace(".json", ".lock")),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lockFile.lock()) {
            if (!Objects.equals(versionAt(document), expectedVersion)) {
                return false;
            }
            Path temp = directory.resolve(".incoming-" + UUID.randomUUID());
            try {
                try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    out.write(ByteBuffer.wrap(bytes));
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

    private static String versionAt(Path document) throws IOException {
        try {
            return FlagJson.versionOf(Files.readAllBytes(document));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private Path stateOf(String deploymentSet) {
        if (!SET_NAME.matcher(deploymentSet).matches()) {
            throw new IllegalArgumentException("not a deployment set name: " + deploymentSet);
        }
        return sets.resolve(deploymentSet + ".json");
    }

    private Path pathOf(Digest recipe) {
        return root.resolve(recipe.hex().substring(0, 2)).resolve(recipe.hex() + ".json");
    }
}
