package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.Option;

/** A set command that takes nothing but a reason, recorded in the audit trail: pause, approve, override-window. */
abstract class ReasonedSetCommand extends SetCommand {

    @Option(names = "--reason", required = true, description = "Why, for the audit trail")
    String reason;

    /** The API's name for the command: {@code POST /api/sets/<set>/<command>}. */
    abstract String command();

    @Override
    public void run() {
        send(command(), Map.of("reason", reason));
    }
}
