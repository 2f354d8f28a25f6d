package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "approve", description = "Let the set's rollout past its gate (the recipe's rollout.approvalWithin): "
        + "the hosts after the canaries take the version.")
final class ApproveCommand extends SetCommand {

    @Option(names = "--reason", required = true, description = "Why, for the audit trail")
    String reason;

    @Override
    public void run() {
        send("approve", Map.of("reason", reason));
    }
}
