package dev.slipway.cli;

import dev.slipway.cas.digest.Digest;
import dev.slipway.events.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "toolchain", description = "Toolchains: host directories imported once as build inputs, then named "
        + "by digest from every recipe that uses them.",
        subcommands = {ToolchainCommand.Import.class, ToolchainCommand.Libraries.class, ToolchainCommand.Users.class})
final class ToolchainCommand {

    /** What both subcommands take: the directory, the toolchain's name, and where to pin it. */
    static final class Target {

        @Parameters(paramLabel = "DIR")
        Path directory;

        @Option(names = "--name", required = true, description = "What the toolchain is, for people and for the lock "
                + "(e.g. jdk-17)")
        String name;

        @Option(names = "--lock", paramLabel = "FILE", description = "Also pin it under --name in this lock "
                + "(e.g. slipway.lock beside your recipe)")
        Path lock;
    }

    @Command(name = "import", description = "Import a host directory (a JDK, a static busybox, ...) into the store, once; "
            + "recipes then name it by the printed digest, or through the lock. Links that leave the directory "
            + "(as an installed JDK has into /etc) are copied in.")
    static final class Import implements Runnable {

        @Mixin
        Context context;

        @Mixin
        Target target;

        @Override
        public void run() {
            publish(context, target, "toolchain " + target.name + " from " + target.directory.toAbsolutePath(),
                    staging -> HostTree.selfContained(target.directory, staging).forEach(context::say));
        }
    }

    @Command(name = "libraries", description = "Import the shared libraries (and the loader) that the programs in "
            + "DIR load on this host, as one flat toolchain: a recipe mounts it at /lib64 and sets "
            + "LD_LIBRARY_PATH=/lib64, so a dynamically linked toolchain such as a JDK runs in the blank sandbox.")
    static final class Libraries implements Runnable {

        @Mixin
        Context context;

        @Mixin
        Target target;

        @Override
        public void run() {
            publish(context, target, "libraries of " + target.directory.toAbsolutePath() + " on this host",
                    staging -> context.say("gathered " + String.join(" ",
                            HostTree.librariesOf(target.directory, staging))));
        }
    }

    @Command(name = "users", description = "List every lock under DIR... that pins DIGEST: the recipes to rebuild "
            + "when that toolchain (or dependency) is replaced.")
    static final class Users implements Runnable {

        @Mixin
        Context context;

        @Parameters(index = "0", paramLabel = "DIGEST")
        String digest;

        @Parameters(index = "1..*", paramLabel = "DIR", defaultValue = ".")
        List<Path> roots;

        @Override
        public void run() {
            Digest wanted;
            try {
                wanted = Digest.parse(digest);
            } catch (IllegalArgumentException e) {
                throw new CliFailure(Exit.USAGE, e.getMessage());
            }
            List<Map<String, String>> users = new ArrayList<>();
            for (Path root : roots) {
                try (Stream<Path> walk = Files.walk(root)) {
                    for (Path file : walk.filter(path -> path.getFileName().toString().equals(Lock.FILE_NAME)).sorted()
                            .toList()) {
                        Lock lock = Lock.read(file);
                        lock.names().stream().filter(name -> lock.entry(name).orElseThrow().digest().equals(wanted))
                                .forEach(name -> users.add(Map.of("lock", file.toString(), "name", name)));
                    }
                } catch (IOException e) {
                    throw new CliFailure(Exit.USAGE, "cannot search " + root + ": " + e.getMessage(), e);
                }
            }
            context.result(users, users.stream().map(user -> user.get("lock") + "  " + user.get("name"))
                    .collect(Collectors.joining("\n")));
        }
    }

    interface Stage {
        void into(Path staging) throws IOException, InterruptedException;
    }

    private static void publish(Context context, Target target, String source, Stage stage) {
        if (!Files.isDirectory(target.directory)) {
            throw new CliFailure(Exit.USAGE, target.directory + " is not a directory");
        }
        if (target.lock != null && !Lock.validName(target.name)) {
            throw new CliFailure(Exit.USAGE, "'" + target.name + "' cannot name an input in a lock: letters, digits, "
                    + "'.', '_', '-'");
        }
        Path staging = null;
        try {
            staging = Files.createTempDirectory("slipway-toolchain");
            stage.into(staging);
            Trees.Pushed pushed = Trees.push(context, staging);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("name", target.name);
            result.put("digest", pushed.digest());
            result.put("bytes", pushed.bytes());
            result.put("uploaded", pushed.uploaded());
            if (target.lock != null) {
                Lock lock = Lock.read(target.lock);
                lock.put(target.name, new Lock.Entry(Digest.parse(pushed.digest()), Recipe.Kind.TREE, source));
                result.put("lock", target.lock.toString());
            }
            context.result(result, pushed.digest() + "  " + target.name);
        } catch (IOException e) {
            throw new CliFailure(Exit.FAILED, "cannot gather " + target.directory + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(Exit.FAILED, "interrupted");
        } finally {
            deleteTree(staging);
        }
    }

    private static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // A temp tree left behind is the OS's to clean.
        }
    }
}
