package dev.slipway.cas.archive;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveTest {

    @TempDir
    Path work;

    private final SafeUntar untar = new SafeUntar(SafeUntar.Limits.DEFAULT);

    @Test
    void theSameTreePacksToTheSameBytesWhateverItsTimesAndCreationOrder() throws IOException {
        Path first = tree(work.resolve("first"), false);
        Path second = tree(work.resolve("second"), true);
        Files.setLastModifiedTime(second.resolve("bin/tool"), FileTime.from(Instant.parse("2031-01-01T00:00:00Z")));

        assertArrayEquals(pack(first), pack(second));
    }

    @Test
    void unpacksWhatItPackedWithExecutableBitsAndRelativeLinks() throws IOException {
        Path source = tree(work.resolve("source"), false);
        Path target = Files.createDirectory(work.resolve("target"));

        untar.unpack(new ByteArrayInputStream(pack(source)), target);

        assertEquals("echo hi\n", Files.readString(target.resolve("bin/tool")));
        assertTrue(Files.isExecutable(target.resolve("bin/tool")));
        assertFalse(Files.isExecutable(target.resolve("README")));
        assertEquals(Path.of("../bin/tool"), Files.readSymbolicLink(target.resolve("lib/tool-link")));
        assertArrayEquals(pack(source), pack(target));
    }

    @Test
    void refusesToPackAnAbsoluteSymlink() throws IOException {
        Path source = Files.createDirectory(work.resolve("abs"));
        Files.createSymbolicLink(source.resolve("passwd"), Path.of("/etc/passwd"));

        UnsafeArchiveException error = assertThrows(UnsafeArchiveException.class, () -> pack(source));
        assertTrue(error.getMessage().contains("make it relative"), error.getMessage());
    }

    @Test
    void refusesEntriesThatLeaveTheRoot() throws IOException {
        assertRefused("'..'", file("../escaped", "x"));
        assertRefused("relative", file("/tmp/absolute", "x"));
        assertRefused("leaves the archive", link("up", "../../etc"));
        assertRefused("leaves the archive", link("abs", "/etc/passwd"));
        assertRefused("goes through the symlink", link("sub", "."), file("sub/file", "x"));
        assertRefused("hard links", hardLink("hard", "/etc/passwd"));
        assertFalse(Files.exists(work.getParent().resolve("escaped")));
    }

    @Test
    void refusesLinksThatStayInsideByNameButLeadOutsideThroughOtherLinks() throws IOException {
        assertRefused("leaves the archive", directory("d/"), link("d/l", ".."), link("d/m", "l/.."));
        // The second link makes the first one lead outside: only the whole tree says so.
        assertRefused("leads outside the tree", link("x", "y/.."), link("y", "."));
        assertRefused("leads outside the tree", link("a", "b"), link("b", "a/.."));
    }

    @Test
    void packingRefusesATreeWhoseLinksLeadOutsideThroughOtherLinks() throws IOException {
        Path source = Files.createDirectories(work.resolve("chained/d"));
        Files.createSymbolicLink(source.resolve("l"), Path.of(".."));
        Files.createSymbolicLink(source.resolve("m"), Path.of("l/.."));

        UnsafeArchiveException error = assertThrows(UnsafeArchiveException.class, () -> pack(source.getParent()));

        assertTrue(error.getMessage().contains("leaves the archive"), error.getMessage());
    }

    @Test
    void acceptsTheDotEntryThatTarOfADirectoryWrites() throws IOException {
        Path target = Files.createDirectory(work.resolve("dot"));

        untar.unpack(new ByteArrayInputStream(archive(directory("./"), directory("./www/"), file("./www/index", "hi"))),
                target);

        assertEquals("xx", Files.readString(target.resolve("www/index")));
    }

    @Test
    void boundsPaxRecordsAndSparseEntriesByWhatTheyExpandTo() throws IOException {
        TarArchiveEntry hugeHeader = file("a", "1");
        hugeHeader.addPaxHeader("comment", "x".repeat(2 * 1024 * 1024));
        assertRefused("bytes of tar headers", hugeHeader);

        // A PAX 0.1 sparse file: one byte stored, a million bytes once unpacked.
        String records = paxRecord("GNU.sparse.numblocks", "1") + paxRecord("GNU.sparse.map", "0,1")
                + paxRecord("GNU.sparse.size", "1000000");
        TarArchiveEntry header = new TarArchiveEntry("PaxHeaders/s", TarConstants.LF_PAX_EXTENDED_HEADER_LC, true);
        header.setSize(records.length());
        ByteArrayOutputStream sparse = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(sparse)) {
            tar.putArchiveEntry(header);
            tar.write(records.getBytes(UTF_8));
            tar.closeArchiveEntry();
            TarArchiveEntry stored = file("s", "1");
            tar.putArchiveEntry(stored);
            tar.write('x');
            tar.closeArchiveEntry();
        }
        SafeUntar small = new SafeUntar(new SafeUntar.Limits(1000, 10));
        UnsafeArchiveException error = assertThrows(UnsafeArchiveException.class, () -> small.unpack(
                new ByteArrayInputStream(sparse.toByteArray()), Files.createDirectory(work.resolve("sparse"))));
        assertTrue(error.getMessage().contains("more than 1000 bytes"), error.getMessage());
    }

    @Test
    void deletesATreeAStepMadeUnreadable() throws IOException {
        Path tree = Files.createDirectories(work.resolve("build/locked/deeper"));
        Files.writeString(tree.resolve("secret"), "input");
        Files.setPosixFilePermissions(tree, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(tree.getParent(), PosixFilePermissions.fromString("---------"));

        Trees.delete(work.resolve("build"));

        assertFalse(Files.exists(work.resolve("build")));
    }

    @Test
    void refusesArchivesPastTheirBounds() throws IOException {
        SafeUntar small = new SafeUntar(new SafeUntar.Limits(10, 2));
        byte[] tooBig = archive(file("a", "0123456789A"));
        byte[] tooMany = archive(file("a", "1"), file("b", "2"), file("c", "3"));

        UnsafeArchiveException bytes = assertThrows(UnsafeArchiveException.class,
                () -> small.unpack(new ByteArrayInputStream(tooBig), Files.createDirectory(work.resolve("big"))));
        UnsafeArchiveException entries = assertThrows(UnsafeArchiveException.class,
                () -> small.unpack(new ByteArrayInputStream(tooMany), Files.createDirectory(work.resolve("many"))));

        assertTrue(bytes.getMessage().contains("more than 10 bytes"), bytes.getMessage());
        assertTrue(entries.getMessage().contains("more than 2 entries"), entries.getMessage());
    }

    private void assertRefused(String why, TarArchiveEntry... entries) throws IOException {
        Path target = Files.createTempDirectory(work, "target");
        UnsafeArchiveException error = assertThrows(UnsafeArchiveException.class,
                () -> untar.unpack(new ByteArrayInputStream(archive(entries)), target));
        assertTrue(error.getMessage().contains(why), error.getMessage());
    }

    private static Path tree(Path root, boolean reverseOrder) throws IOException {
        Files.createDirectories(root);
        String[] order = reverseOrder ? new String[] {"lib", "bin"} : new String[] {"bin", "lib"};
        for (String directory : order) {
            Files.createDirectories(root.resolve(directory));
        }
        Files.writeString(root.resolve("README"), "a tool\n");
        Files.writeString(root.resolve("bin/tool"), "echo hi\n");
        Files.setPosixFilePermissions(root.resolve("bin/tool"), PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(root.resolve("lib/tool-link"), Path.of("../bin/tool"));
        return root;
    }

    private static byte[] pack(Path root) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReproducibleTar.pack(root, out);
        return out.toByteArray();
    }

    private static TarArchiveEntry file(String name, String content) {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(content.length());
        return entry;
    }

    private static String paxRecord(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int length = body.length() + 1;
        while (Integer.toString(length).length() + body.length() != length) {
            length++;
        }
        return length + body;
    }

    private static TarArchiveEntry directory(String name) {
        return new TarArchiveEntry(name, TarConstants.LF_DIR, true);
    }

    private static TarArchiveEntry link(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        entry.setLinkName(target);
        return entry;
    }

    private static TarArchiveEntry hardLink(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
        entry.setLinkName(target);
        return entry;
    }

    /** A hand-made archive, as an attacker would write it: names exactly as given. */
    private static byte[] archive(TarArchiveEntry... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (TarArchiveEntry entry : entries) {
                tar.putArchiveEntry(entry);
                if (entry.isFile() && !entry.isSymbolicLink() && !entry.isLink()) {
                    tar.write(Stream.generate(() -> "x").limit(entry.getSize()).reduce("", String::concat).getBytes(UTF_8));
                }
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}
