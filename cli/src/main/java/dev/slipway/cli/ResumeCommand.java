package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.Command;

@Command(name = "resume", description = "Release the set's paused rollout.")
final class ResumeCommand extends SetCommand {

    @Override
    public void run() {
        send("resume", Map.of());
    }
}
