package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "override-window", description = "Let the set's rollout go on outside its deployment windows (the "
        + "recipe's rollout.windows) from now on, for the reason given.")
final class OverrideWindowCommand extends SetCommand {

    @Option(names = "--reason", required = true, description = "Why it cannot wait for the next window, for the audit trail")
    String reason;

    @Override
    public void run() {
        send("override-window", Map.of("reason", reason));
    }
}
