package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "promote", description = "Make a built recipe (or its artifact) deployable on a channel of a set.")
final class PromoteCommand extends SetCommand {

    @Parameters(paramLabel = "DIGEST")
    String digest;

    @Option(names = "--channel", required = true, description = "The channel, e.g. staging or production")
    String channel;

    @Override
    public void run() {
        if (channel.equals("production")) {
            confirm("Promote " + digest + " to production on " + set + "?");
        }
        send("promote", Map.of("digest", digest, "channel", channel));
    }
}
