package dev.slipway.cli;

import picocli.CommandLine.Command;

@Command(name = "pause", description = "Hold the set's running rollout: no host gets a new slot until it is resumed.")
final class PauseCommand extends ReasonedSetCommand {

    @Override
    String command() {
        return "pause";
    }
}
