package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "revoke", description = "Revoke a recipe (or its artifact): no host of the set installs it again.")
final class RevokeCommand extends SetCommand {

    @Parameters(paramLabel = "DIGEST")
    String digest;

    @Option(names = "--reason", required = true, description = "Why, for the audit trail")
    String reason;

    @Override
    public void run() {
        confirm("Revoke " + digest + " on " + set + "?");
        send("revoke", Map.of("digest", digest, "reason", reason));
    }
}
