package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "remove-host", description = "Take a decommissioned host out of its set: rollouts stop waiting for it.")
final class RemoveHostCommand extends SetCommand {

    @Parameters(paramLabel = "HOST")
    String host;

    @Option(names = "--reason", required = true, description = "Why, for the audit trail")
    String reason;

    @Override
    public void run() {
        confirm("Take " + host + " out of " + set + " for good?");
        send("hosts/" + ReleaseApi.segment(host) + "/remove", Map.of("reason", reason));
    }
}
