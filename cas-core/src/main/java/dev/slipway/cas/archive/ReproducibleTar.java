package dev.slipway.cas.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Packs a directory tree as a POSIX tar whose bytes depend only on the tree's names, contents, executable
 * bits and relative symlinks: entries sorted by path, every time the epoch, owner and group 0 with no names,
 * modes 0755 (directories, executables) or 0644. Uncompressed on purpose: a compressor's output may change
 * with its version, and the archive's digest must not.
 */
public final class ReproducibleTar {

    private ReproducibleTar() {
    }

    /** Writes the tree under {@code root} (not {@code root} itself) to {@code out}; leaves {@code out} open. */
    public static void pack(Path root, OutputStream out) throws IOException {
        pack(root, List.of(""), out);
    }

    /**
     * Writes only the named paths under {@code root} (files or whole directories, relative, "" for all) and the
     * directories that lead to them.
     */
    public static void pack(Path tree, List<String> include, OutputStream out) throws IOException {
        Path root = tree.toAbsolutePath().normalize();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.filter(path -> !path.equals(root) && included(root.relativize(path), include))
                    .sorted((a, b) -> nameOf(root, a).compareTo(nameOf(root, b)))
                    .toList();
        }
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (Path path : paths) {
            String name = nameOf(root, path);
            TarArchiveEntry entry;
            boolean regularFile = false;
            if (Files.isSymbolicLink(path)) {
                Path target = Files.readSymbolicLink(path);
                if (target.isAbsolute()) {
                    throw new UnsafeArchiveException(name, "symlink to the absolute path " + target
                            + " would point outside the archive; make it relative");
                }
                if (!Trees.linkStaysInside(root, path, target)) {
                    throw new UnsafeArchiveException(name, "symlink to '" + target + "' leaves the archive");
                }
                entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                entry.setLinkName(target.toString());
                entry.setMode(0120777);
            } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                entry = new TarArchiveEntry(name + "/");
                entry.setMode(040755);
            } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                regularFile = true;
                entry = new TarArchiveEntry(name);
                entry.setMode(Files.isExecutable(path) ? 0100755 : 0100644);
                entry.setSize(Files.size(path));
            } else {
                throw new UnsafeArchiveException(name, "neither a file, a directory nor a symlink");
            }
            entry.setModTime(0);
            entry.setIds(0, 0);
            entry.setNames("", "");
            tar.putArchiveEntry(entry);
            if (regularFile) {
                Files.copy(path, tar);
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        tar.flush();
    }

    private static boolean included(Path relative, List<String> include) {
        for (String wanted : include) {
            Path path = Path.of(wanted);
            if (wanted.isEmpty() || relative.startsWith(path) || path.startsWith(relative)) {
                return true;
            }
        }
        return false;
    }

    private static String nameOf(Path root, Path path) {
        return root.relativize(path).toString();
    }

    /** The tar stream's close must not close the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
