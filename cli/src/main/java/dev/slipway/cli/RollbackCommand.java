package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rollback", description = "Send every host of the set back to its previous version.")
final class RollbackCommand extends SetCommand {

    @Option(names = "--reason", required = true, description = "Why, for the audit trail")
    String reason;

    @Override
    public void run() {
        confirm("Roll every host of " + set + " back to its previous version?");
        send("rollback", Map.of("reason", reason));
    }
}
