package dev.slipway.agent.host;

import dev.slipway.cas.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What an unpacked tree holds, file by file (path, size, sha256; links with their targets; directories), written
 * only once every file and directory of the tree is on the disk (fsynced). A tree with a seal it matches is whole;
 * one without a seal, or that differs from it, was cut short by a power loss (or changed behind the agent's back)
 * and is fetched again.
 */
final class TreeSeal {

    private static final String HEADER = "slipway tree seal v1\n";

    private TreeSeal() {
    }

    /** Makes every file and directory of {@code tree} durable and returns its seal. */
    static String sync(Path tree) throws IOException {
        return describe(tree, true);
    }

    /** Whether {@code tree} holds exactly what {@code seal} says. */
    static boolean matches(Path tree, String seal) throws IOException {
        return seal.equals(describe(tree, false));
    }

    private static String describe(Path tree, boolean sync) throws IOException {
        StringBuilder seal = new StringBuilder(HEADER);
        List<Path> entries;
        try (Stream<Path> all = Files.walk(tree)) {
            entries = all.sorted().toList();
        }
        for (Path entry : entries) {
            String name = tree.relativize(entry).toString();
            if (Files.isSymbolicLink(entry)) {
                seal.append("link ").append(name).append(" -> ").append(Files.readSymbolicLink(entry)).append('\n');
            } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                seal.append("dir ").append(name.isEmpty() ? "." : name).append('\n');
            } else {
                seal.append("file ").append(name).append(' ').append(Files.size(entry)).append(' ')
                        .append(sha256(entry, sync)).append('\n');
            }
        }
        if (sync) {
            // Deepest first, so that every directory is durable after what it holds.
            for (int i = entries.size() - 1; i >= 0; i--) {
                if (Files.isDirectory(entries.get(i), LinkOption.NOFOLLOW_LINKS)) {
                    Durable.syncDirectory(entries.get(i));
                }
            }
        }
        return seal.toString();
    }

    private static String sha256(Path file, boolean sync) throws IOException {
        MessageDigest sha256 = Digest.sha256();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                InputStream in = Channels.newInputStream(channel)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
            if (sync) {
                channel.force(true);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }
}
