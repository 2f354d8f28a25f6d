package dev.slipway.cli;

import picocli.CommandLine.Command;

@Command(name = "override-window", description = "Let the set's rollout go on outside its deployment windows (the "
        + "recipe's rollout.windows) from now on, for the reason given.")
final class OverrideWindowCommand extends ReasonedSetCommand {

    @Override
    String command() {
        return "override-window";
    }
}
