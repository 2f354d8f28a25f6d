package dev.slipway.agent.host;

import dev.slipway.cas.archive.SafeUntar;
import dev.slipway.cas.archive.Trees;
import dev.slipway.cas.archive.UnsafeArchiveException;
import dev.slipway.cas.digest.Digest;
import dev.slipway.cas.digest.DigestMismatchException;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The host's versions on disk, the single source of truth after a crash or reboot:
 * <pre>
 * root/store/sha256-HEX/      unpacked artifacts, read-only, complete or absent
 * root/seals/sha256-HEX       what each holds, file by file ({@link TreeSeal})
 * root/archives/sha256-HEX    each artifact's archive as fetched: what the next version's delta download reuses
 * root/generations/N          symlink to ../store/sha256-HEX
 * root/current                symlink to generations/N, replaced by rename(2): atomic
 * </pre>
 * An artifact is unpacked into a temporary directory, made durable (every file and directory fsynced), sealed,
 * and renamed into the store only then, so {@code current} never points at a half-unpacked directory, even
 * after a power loss; each link and rename is fsynced in its directory before it is relied on. At start every
 * tree is checked against its seal, and one without a seal, or that differs from it, is removed to be fetched
 * again ({@link #discarded()}). Archives are a cache, not made durable: whoever reuses one verifies what it
 * builds from it. The newest {@code keep} generations stay for rollback; older ones and the
 * artifacts nothing points at are removed.
 */
public final class Generations {

    private static final String INCOMING = ".incoming-";

    private final Path root;
    private final Path store;
    private final Path generations;
    private final Path seals;
    private final Path archives;
    private final int keep;
    private final List<Digest> discarded = new ArrayList<>();

    /** Fewer than two generations would leave nothing to go back to (or delete the running one). */
    public static final int MINIMUM_KEEP = 2;

    public Generations(Path root, int keep) throws IOException {
        if (keep < MINIMUM_KEEP) {
            throw new IllegalArgumentException("keep-generations is " + keep + "; it must be at least " + MINIMUM_KEEP
                    + " (the running version and one to go back to): set slipway.agent.keep-generations to 2 or more");
        }
        this.root = root;
        this.store = Files.createDirectories(root.resolve("store"));
        this.generations = Files.createDirectories(root.resolve("generations"));
        this.seals = Files.createDirectories(root.resolve("seals"));
        this.archives = Files.createDirectories(root.resolve("archives"));
        this.keep = keep;
        try (Stream<Path> leftovers = Files.list(store)) {
            for (Path partial : leftovers.filter(p -> p.getFileName().toString().startsWith(INCOMING)).toList()) {
                Trees.delete(partial);
            }
        }
        checkInstalled();
        try (Stream<Path> all = Files.list(archives)) {
            for (Path archive : all.filter(p -> !Files.isDirectory(store.resolve(p.getFileName().toString()))).toList()) {
                Files.delete(archive);
            }
        }
    }

    /** Artifacts whose tree was found incomplete or changed at start and removed: fetch them again. */
    public List<Digest> discarded() {
        return List.copyOf(discarded);
    }

    private void checkInstalled() throws IOException {
        try (Stream<Path> trees = Files.list(store)) {
            for (Path tree : trees.filter(p -> p.getFileName().toString().startsWith("sha256-")).toList()) {
                Path seal = seals.resolve(tree.getFileName().toString());
                if (!Files.isRegularFile(seal) || !TreeSeal.matches(tree, Files.readString(seal))) {
                    Trees.delete(tree);
                    Files.deleteIfExists(seal);
                    Files.deleteIfExists(archives.resolve(tree.getFileName()));
                    discarded.add(new Digest(tree.getFileName().toString().substring("sha256-".length())));
                }
            }
        }
        try (Stream<Path> orphans = Files.list(seals)) {
            for (Path seal : orphans.filter(p -> !Files.isDirectory(store.resolve(p.getFileName().toString()))).toList()) {
                Files.delete(seal);
            }
        }
        if (!discarded.isEmpty()) {
            Durable.syncDirectory(store);
        }
    }

    public boolean installed(Digest artifact) {
        return Files.isDirectory(dirOf(artifact));
    }

    /**
     * Unpacks a verified artifact stream into the store (a no-op when present), keeping its archive. The stream
     * must fail at its end if the bytes do not match; it is read to the end, so a mismatch past the tar's end
     * marker still fails.
     */
    public Path install(Digest artifact, InputStream verified, SafeUntar untar) throws IOException {
        Path target = dirOf(artifact);
        if (Files.isDirectory(target)) {
            return target;
        }
        String name = target.getFileName().toString();
        Path incoming = Files.createDirectory(store.resolve(INCOMING + UUID.randomUUID()));
        Path archive = archives.resolve(INCOMING + UUID.randomUUID());
        try (OutputStream copy = new BufferedOutputStream(Files.newOutputStream(archive));
                InputStream in = new TeeInputStream(verified, copy)) {
            try {
                untar.unpack(in, incoming);
            } catch (IOException unpacking) {
                throw judged(in, unpacking);
            }
            in.transferTo(OutputStream.nullOutputStream());
            copy.flush();
            readOnly(incoming);
            // Durable and sealed before it has its name: a tree under its name is whole, whenever the power goes.
            Durable.write(seals.resolve(name), TreeSeal.sync(incoming));
            Files.move(incoming, target, StandardCopyOption.ATOMIC_MOVE);
            Durable.syncDirectory(store);
            Files.move(archive, archives.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            return target;
        } finally {
            if (Files.exists(incoming)) {
                Trees.delete(incoming);
            }
            Files.deleteIfExists(archive);
        }
    }

    /**
     * Why bytes did not unpack, judged by their digest first: bytes damaged in the store or on the way say so,
     * whatever they broke in the tar; the store failing while the rest is read is the store's failure; verified
     * bytes that still do not unpack are the artifact's own fault.
     */
    private static IOException judged(InputStream verified, IOException unpacking) {
        if (unpacking instanceof DigestMismatchException) {
            return unpacking;
        }
        try {
            verified.transferTo(OutputStream.nullOutputStream());
        } catch (IOException reading) {
            return reading;
        }
        return unpacking instanceof UnsafeArchiveException ? unpacking : UnsafeArchiveException.unreadable(unpacking);
    }

    /** The archive of each installed artifact this host still has, newest generation's first. */
    public List<Archive> archives() throws IOException {
        List<Archive> found = new ArrayList<>();
        List<Long> numbers = numbers();
        for (int i = numbers.size() - 1; i >= 0; i--) {
            Digest artifact = artifactOf(generations.resolve(Long.toString(numbers.get(i))));
            Path archive = archives.resolve(dirOf(artifact).getFileName());
            if (Files.isRegularFile(archive) && found.stream().noneMatch(a -> a.artifact().equals(artifact))) {
                found.add(new Archive(artifact, archive));
            }
        }
        return found;
    }

    /** An installed artifact's archive, as it was fetched (and verified then). */
    public record Archive(Digest artifact, Path file) {
    }

    /** Every artifact unpacked and whole in the store. */
    public Set<String> installedArtifacts() throws IOException {
        try (Stream<Path> artifacts = Files.list(store)) {
            return artifacts.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("sha256-"))
                    .map(n -> "sha256:" + n.substring("sha256-".length())).collect(Collectors.toSet());
        }
    }

    /** The number the next {@link #switchTo} will give its generation. */
    public long nextNumber() throws IOException {
        return numbers().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
    }

    /**
     * Points {@code current} at the artifact as a new generation; returns its number. Old generations beyond
     * {@code keep} go, and the artifacts nothing points at, except {@code pinned} (prepared for a rollout to come).
     */
    public long switchTo(Digest artifact, Set<Digest> pinned) throws IOException {
        if (!installed(artifact)) {
            throw new IOException(artifact + " is not installed; install it before switching");
        }
        long next = nextNumber();
        Path generation = generations.resolve(Long.toString(next));
        Files.createSymbolicLink(generation, Path.of("..", "store", dirOf(artifact).getFileName().toString()));
        Durable.syncDirectory(generations);
        Path link = root.resolve(".current-" + UUID.randomUUID());
        Files.createSymbolicLink(link, Path.of("generations", Long.toString(next)));
        try {
            Files.move(link, root.resolve("current"), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(link);
            throw e;
        }
        Durable.syncDirectory(root);
        collect(pinned);
        return next;
    }

    /** The artifact {@code current} points at. */
    public Optional<Digest> current() throws IOException {
        Path current = root.resolve("current");
        if (!Files.isSymbolicLink(current)) {
            return Optional.empty();
        }
        return Optional.of(artifactOf(generations.resolve(Files.readSymbolicLink(current).getFileName())));
    }

    /** The newest generation before the current one that runs something else: what a rollback returns to. */
    public Optional<Digest> previous() throws IOException {
        Optional<Digest> current = current();
        List<Long> numbers = numbers();
        for (int i = numbers.size() - 1; i >= 0; i--) {
            Digest artifact = artifactOf(generations.resolve(Long.toString(numbers.get(i))));
            if (current.isPresent() && !artifact.equals(current.get())) {
                return Optional.of(artifact);
            }
        }
        return Optional.empty();
    }

    /** Where the current version's files are, resolved (a running process keeps its directory when we switch). */
    public Path currentDirectory() throws IOException {
        return root.resolve("current").toRealPath();
    }

    private Digest artifactOf(Path generation) throws IOException {
        String name = Files.readSymbolicLink(generation).getFileName().toString();
        return new Digest(name.substring("sha256-".length()));
    }

    private List<Long> numbers() throws IOException {
        try (Stream<Path> all = Files.list(generations)) {
            return new ArrayList<>(all.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+"))
                    .map(Long::parseLong).sorted().toList());
        }
    }

    private void collect(Set<Digest> pinned) throws IOException {
        List<Long> numbers = numbers();
        for (int i = 0; i < numbers.size() - keep; i++) {
            Files.delete(generations.resolve(Long.toString(numbers.get(i))));
        }
        List<String> referenced = new ArrayList<>(pinned.stream().map(d -> "sha256-" + d.hex()).toList());
        for (long number : numbers()) {
            referenced.add(Files.readSymbolicLink(generations.resolve(Long.toString(number))).getFileName().toString());
        }
        try (Stream<Path> artifacts = Files.list(store)) {
            for (Path artifact : artifacts.toList()) {
                String name = artifact.getFileName().toString();
                if (name.startsWith("sha256-") && !referenced.contains(name)) {
                    Trees.delete(artifact);
                    Files.deleteIfExists(seals.resolve(name));
                    Files.deleteIfExists(archives.resolve(name));
                }
            }
        }
    }

    private Path dirOf(Digest artifact) {
        return store.resolve("sha256-" + artifact.hex());
    }

    private static void readOnly(Path tree) throws IOException {
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (!attrs.isSymbolicLink()) {
                    file.toFile().setWritable(false, false);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                dir.toFile().setWritable(false, false);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Copies what is read, as it is read: the archive is written while the tree is unpacked from it. */
    private static final class TeeInputStream extends FilterInputStream {
        private final OutputStream copy;

        TeeInputStream(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                copy.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int n = in.read(bytes, offset, length);
            if (n > 0) {
                copy.write(bytes, offset, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] skipped = new byte[(int) Math.min(n, 8192)];
            int read = read(skipped, 0, skipped.length);
            return Math.max(read, 0);
        }
    }
}
