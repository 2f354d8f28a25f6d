package dev.slipway.cli;

import picocli.CommandLine.Command;

@Command(name = "approve", description = "Let the set's rollout past its gate (the recipe's rollout.approvalWithin): "
        + "the hosts after the canaries take the version.")
final class ApproveCommand extends ReasonedSetCommand {

    @Override
    String command() {
        return "approve";
    }
}
