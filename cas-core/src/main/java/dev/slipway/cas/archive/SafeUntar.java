package dev.slipway.cas.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a tar into an empty directory, refusing any entry that could reach outside it: absolute names,
 * {@code ..} components, a path through a symlink, a symlink whose target leaves the root, hard links,
 * devices and fifos; and any archive past the configured number of entries or bytes. The caller unpacks into
 * a fresh directory and deletes it on failure: a refused archive leaves nothing it can use.
 */
public final class SafeUntar {

    /** Bounds on what one archive may unpack to. */
    public record Limits(long maxBytes, int maxEntries) {

        public static final Limits DEFAULT = new Limits(16L * 1024 * 1024 * 1024, 1_000_000);
    }

    private final Limits limits;

    public SafeUntar(Limits limits) {
        this.limits = limits;
    }

    /** Unpacks {@code archive} under {@code root}, which must exist and be empty. */
    public void unpack(InputStream archive, Path root) throws IOException {
        Path base = root.toRealPath();
        long bytes = 0;
        int entries = 0;
        TarArchiveInputStream tar = new TarArchiveInputStream(archive);
        for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
            String name = entry.getName();
            if (++entries > limits.maxEntries()) {
                throw new UnsafeArchiveException(name, "more than " + limits.maxEntries() + " entries");
            }
            Path target = resolve(base, name);
            if (entry.isDirectory()) {
                createDirectories(base, target, name);
            } else if (entry.isSymbolicLink()) {
                createDirectories(base, target.getParent(), name);
                Path link = Path.of(entry.getLinkName());
                if (link.isAbsolute() || !target.getParent().resolve(link).normalize().startsWith(base)) {
                    throw new UnsafeArchiveException(name, "symlink to '" + link + "' leaves the archive");
                }
                Files.createSymbolicLink(target, link);
            } else if (entry.isFile() && !entry.isLink()) {
                bytes += entry.getSize();
                if (bytes > limits.maxBytes()) {
                    throw new UnsafeArchiveException(name, "archive unpacks to more than " + limits.maxBytes()
                            + " bytes");
                }
                createDirectories(base, target.getParent(), name);
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    tar.transferTo(out);
                }
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(
                        (entry.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
            } else {
                throw new UnsafeArchiveException(name, entry.isLink() ? "hard links are not allowed"
                        : "devices, fifos and other special files are not allowed");
            }
        }
    }

    private static Path resolve(Path base, String name) throws UnsafeArchiveException {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
            throw new UnsafeArchiveException(name, "names must be relative paths");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw new UnsafeArchiveException(name, "'..' would leave the archive");
            }
        }
        Path target = base.resolve(name).normalize();
        if (!target.startsWith(base) || target.equals(base)) {
            throw new UnsafeArchiveException(name, "resolves outside the archive");
        }
        return target;
    }

    /** Creates the directories up to {@code directory}, refusing to pass through a symlink unpacked earlier. */
    private static void createDirectories(Path base, Path directory, String name) throws IOException {
        Path current = base;
        for (Path part : base.relativize(directory)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw new UnsafeArchiveException(name, "goes through the symlink '" + base.relativize(current) + "'");
            }
            if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
            }
        }
    }
}
