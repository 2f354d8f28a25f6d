package dev.slipway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A toolchain as installed on a host, made self-contained before it is packed: a store input can hold no link
 * out of itself, so what an installed JDK links to elsewhere ({@code /etc/java-17-openjdk/...} on Debian) is
 * copied in, and the shared libraries its programs load can be gathered into a tree of their own.
 */
final class HostTree {

    /** {@code libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)}, and the loader's own line. */
    private static final Pattern RESOLVED = Pattern.compile("^\\s*(\\S+) => (/\\S+) \\(0x[0-9a-f]+\\)$");
    private static final Pattern LOADER = Pattern.compile("^\\s*(/\\S+) \\(0x[0-9a-f]+\\)$");
    private static final Pattern MISSING = Pattern.compile("^\\s*(\\S+) => not found$");
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

    private HostTree() {
    }

    /**
     * Copies {@code source} to {@code staging} with every symlink that leaves it replaced by what it points to;
     * returns what had to change, for people (links copied in, dangling links left out).
     */
    static List<String> selfContained(Path source, Path staging) throws IOException {
        Path root = source.toRealPath();
        List<String> notes = new ArrayList<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted().toList();
        }
        for (Path path : paths) {
            Path target = staging.resolve(root.relativize(path).toString());
            if (Files.isSymbolicLink(path)) {
                Path link = Files.readSymbolicLink(path);
                Path resolved = path.getParent().resolve(link).normalize();
                if (!link.isAbsolute() && resolved.startsWith(root)) {
                    Files.createSymbolicLink(target, link);
                } else if (!Files.exists(path)) {
                    notes.add("left out " + root.relativize(path) + ": it links to " + link + ", which is not there");
                } else {
                    copyFollowing(path.toRealPath(), target);
                    notes.add("copied in " + root.relativize(path) + " (a link to " + link + ")");
                }
            } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(target);
            } else {
                Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return notes;
    }

    /**
     * Copies, flat into {@code staging}, the loader and every shared library outside {@code source} that its ELF
     * files load on this host (as {@code ldd} resolves them), each under the name its users ask for; returns the
     * names copied. A library that is missing on this host, and not one of the tree's own, fails the import.
     */
    static List<String> librariesOf(Path source, Path staging) throws IOException, InterruptedException {
        Path root = source.toRealPath();
        Map<String, Path> wanted = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        List<Path> elves;
        try (Stream<Path> walk = Files.walk(root)) {
            elves = walk.filter(path -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && elf(path)).toList();
        }
        for (Path elf : elves) {
            for (String line : ldd(elf)) {
                Matcher resolved = RESOLVED.matcher(line);
                Matcher loader = LOADER.matcher(line);
                Matcher absent = MISSING.matcher(line);
                if (resolved.matches() && !Path.of(resolved.group(2)).startsWith(root)) {
                    wanted.putIfAbsent(resolved.group(1), Path.of(resolved.group(2)));
                } else if (loader.matches()) {
                    Path path = Path.of(loader.group(1));
                    wanted.putIfAbsent(path.getFileName().toString(), path);
                } else if (absent.matches() && !ownLibrary(root, absent.group(1))) {
                    missing.add(absent.group(1) + " (for " + root.relativize(elf) + ")");
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new CliFailure(Exit.FAILED, "this host lacks libraries that " + source + " loads: "
                    + String.join(", ", missing));
        }
        if (wanted.isEmpty()) {
            throw new CliFailure(Exit.USAGE, source + " holds no dynamically linked program or library");
        }
        for (Map.Entry<String, Path> library : wanted.entrySet()) {
            Files.copy(library.getValue().toRealPath(), staging.resolve(library.getKey()));
        }
        return List.copyOf(wanted.keySet());
    }

    private static boolean ownLibrary(Path root, String name) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.anyMatch(path -> path.getFileName().toString().equals(name));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> ldd(Path elf) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("ldd", elf.toString()).redirectErrorStream(true).start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("ldd " + elf + " did not finish");
        }
        // ldd exits 1 for a file it cannot read as a dynamic object (a static program): nothing to gather.
        return process.exitValue() == 0 ? new String(output, StandardCharsets.UTF_8).lines().toList() : List.of();
    }

    private static boolean elf(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(4), ELF);
        } catch (IOException unreadable) {
            return false;
        }
    }

    private static void copyFollowing(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        try (Stream<Path> walk = Files.walk(from, FileVisitOption.FOLLOW_LINKS)) {
            for (Path path : walk.sorted().toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
