package dev.slipway.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "toolchain", description = "Toolchains: host directories imported as build inputs.",
        subcommands = ToolchainCommand.Import.class)
final class ToolchainCommand {

    @Command(name = "import", description = "Import a host directory (a JDK, a static busybox, ...) into the store, once; "
            + "recipes then name it by the printed digest.")
    static final class Import implements Runnable {

        @Mixin
        Context context;

        @Parameters(paramLabel = "DIR")
        Path directory;

        @Option(names = "--name", required = true, description = "What the toolchain is, for people (e.g. busybox-1.35)")
        String name;

        @Override
        public void run() {
            Trees.Pushed pushed = Trees.push(context, directory);
            context.result(Map.of("name", name, "digest", pushed.digest(), "bytes", pushed.bytes(),
                    "uploaded", pushed.uploaded()), pushed.digest() + "  " + name);
        }
    }
}
