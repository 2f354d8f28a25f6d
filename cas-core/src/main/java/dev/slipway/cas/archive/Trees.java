package dev.slipway.cas.archive;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Trees on disk that someone else wrote: where their symlinks really lead, and removing them whatever
 * permissions were left on them.
 */
public final class Trees {

    /** As many links as Linux follows in one lookup before it gives up (ELOOP). */
    private static final int MAX_LINKS = 40;

    private Trees() {
    }

    /**
     * Whether the symlink at {@code link} (under {@code root}) with target {@code target} resolves inside
     * {@code root}, following the symlinks already in the tree the way the kernel would, component by
     * component: {@code d/l -> ..} then {@code d/m -> l/..} stay inside by name and lead outside, and are
     * refused. A component that does not exist is taken as a plain name (the kernel would fail on it).
     */
    public static boolean linkStaysInside(Path root, Path link, Path target) throws IOException {
        if (target.isAbsolute()) {
            return false;
        }
        Deque<Path> todo = new ArrayDeque<>();
        target.forEach(todo::addLast);
        Path at = link.getParent();
        int followed = 0;
        while (!todo.isEmpty()) {
            String part = todo.removeFirst().toString();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (at.equals(root)) {
                    return false;
                }
                at = at.getParent();
                continue;
            }
            Path next = at.resolve(part);
            if (Files.isSymbolicLink(next)) {
                Path further = Files.readSymbolicLink(next);
                if (further.isAbsolute() || ++followed > MAX_LINKS) {
                    return false;
                }
                Deque<Path> expanded = new ArrayDeque<>();
                further.forEach(expanded::addLast);
                while (!expanded.isEmpty()) {
                    todo.addFirst(expanded.removeLast());
                }
            } else {
                at = next;
            }
        }
        return at.startsWith(root);
    }

    /**
     * Refuses the tree when any symlink in it resolves outside it, as {@link #linkStaysInside} judges: checked on
     * the whole tree, because a link added later can change where an earlier one leads.
     */
    public static void checkLinks(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(path) && !linkStaysInside(root, path, Files.readSymbolicLink(path))) {
                    throw new UnsafeArchiveException(root.relativize(path).toString(),
                            "symlink to '" + Files.readSymbolicLink(path) + "' leads outside the tree");
                }
            }
        }
    }

    /**
     * Deletes {@code tree} and everything under it (symlinks themselves, never what they point at), first giving
     * back to its owner every directory a step made unreadable or read-only ({@code chmod 000}).
     */
    public static void delete(Path tree) throws IOException {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                ownerMayChange(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                // The walk lists a directory before it visits it: one it may not read fails here first.
                if (failure instanceof AccessDeniedException
                        && Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    ownerMayChange(file);
                    delete(file);
                    return FileVisitResult.CONTINUE;
                }
                throw failure;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void ownerMayChange(Path directory) throws IOException {
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    }
}
