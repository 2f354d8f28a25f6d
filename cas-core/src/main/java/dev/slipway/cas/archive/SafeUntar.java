package dev.slipway.cas.archive;

import java.io.FilterInputStream;
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
        HeaderBudget budget = new HeaderBudget(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(budget);
        for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
            String name = entry.getName();
            if (++entries > limits.maxEntries()) {
                throw new UnsafeArchiveException(name, "more than " + limits.maxEntries() + " entries");
            }
            budget.allowContent(entry.getSize());
            Path target = resolve(base, name);
            if (target.equals(base) && entry.isDirectory()) {
                continue; // "./", which `tar -C dir .` writes first
            }
            if (target.equals(base)) {
                throw new UnsafeArchiveException(name, "names the archive's root itself");
            }
            if (entry.isDirectory()) {
                createDirectories(base, target, name);
            } else if (entry.isSymbolicLink()) {
                createDirectories(base, target.getParent(), name);
                Path link = Path.of(entry.getLinkName());
                if (!Trees.linkStaysInside(base, target, link)) {
                    throw new UnsafeArchiveException(name, "symlink to '" + link + "' leaves the archive");
                }
                Files.createSymbolicLink(target, link);
            } else if (entry.isFile() && !entry.isLink()) {
                // A sparse entry unpacks to its real size, whatever few bytes it stores.
                bytes += Math.max(entry.getSize(), entry.getRealSize());
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
        Trees.checkLinks(base);
    }

    /**
     * Bounds the bytes an archive may spend outside its entries' contents (headers, PAX records, long names,
     * sparse maps), which the tar reader holds in memory: at most {@link #HEADER_BYTES} per entry.
     */
    private static final class HeaderBudget extends FilterInputStream {

        static final long HEADER_BYTES = 1024 * 1024;
        private long read;
        private long allowed = HEADER_BYTES;

        HeaderBudget(InputStream in) {
            super(in);
        }

        /** An entry of {@code size} stored bytes was read: its contents, padded to the record, may follow. */
        void allowContent(long size) {
            allowed = read + ((size + 511) / 512) * 512 + HEADER_BYTES;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (read >= allowed) {
                throw new UnsafeArchiveException("(headers)", "more than " + HEADER_BYTES + " bytes of tar "
                        + "headers, PAX records or long names for one entry");
            }
            int n = in.read(buffer, offset, (int) Math.min(length, allowed - read));
            if (n > 0) {
                read += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, Math.max(0, allowed - read)));
            read += Math.max(0, skipped);
            return skipped;
        }
    }

    /** Where the entry goes: under the root, or the root itself ({@code ./}). */
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
        if (!target.startsWith(base)) {
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
