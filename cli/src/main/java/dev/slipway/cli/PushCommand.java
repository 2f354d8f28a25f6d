package dev.slipway.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "push", description = "Pack a source tree reproducibly, upload it unless the store has it, print its digest.")
final class PushCommand implements Runnable {

    @Mixin
    Context context;

    @Parameters(paramLabel = "DIR")
    Path directory;

    @Override
    public void run() {
        Trees.Pushed pushed = Trees.push(context, directory);
        context.result(pushed, pushed.digest());
    }
}
