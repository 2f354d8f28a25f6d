package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "pause", description = "Hold the set's running rollout: no host gets a new slot until it is resumed.")
final class PauseCommand extends SetCommand {

    @Option(names = "--reason", required = true, description = "Why, for the audit trail")
    String reason;

    @Override
    public void run() {
        send("pause", Map.of("reason", reason));
    }
}
