package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "hold", description = "Named holds on a set, placed by whatever the set's release waits for (a "
        + "database migration, a load balancer): while any is in place no host gets a new slot.",
        subcommands = {HoldCommand.Add.class, HoldCommand.Release.class, HoldCommand.InPlace.class})
final class HoldCommand {

    @Command(name = "add", description = "Place a named hold on the set, or renew it; it ends when released or after "
            + "--until, as --on-expiry says. A holder token is enough.")
    static final class Add extends SetCommand {

        @Option(names = "--name", required = true, description = "The hold's name, e.g. db-migration")
        String name;

        @Option(names = "--until", required = true, paramLabel = "DURATION",
                description = "How long it may last at most (ISO-8601, e.g. PT30M), counted on the set's log")
        Duration until;

        @Option(names = "--on-expiry", defaultValue = "release", paramLabel = "release|fail",
                description = "At the deadline: release it (the rollout goes on, the default) or fail the rollout "
                        + "in progress")
        String onExpiry;

        @Option(names = "--reason", required = true, description = "Why, for the audit trail")
        String reason;

        @Override
        public void run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("until", until.toString());
            body.put("onExpiry", onExpiry);
            body.put("reason", reason);
            send("holds", body);
        }
    }

    @Command(name = "release", description = "Release the set's named hold: a rollout held by nothing else goes on.")
    static final class Release extends SetCommand {

        @Option(names = "--name", required = true, description = "The hold's name")
        String name;

        @Override
        public void run() {
            sendDelete("holds/" + ReleaseApi.segment(name));
        }
    }

    @Command(name = "list", description = "The set's holds in place: who placed each, why, and until when.")
    static final class InPlace implements Runnable {

        @Mixin
        Context context;

        @Option(names = "--set", required = true, description = "The deployment set")
        String set;

        @Override
        public void run() {
            JsonNode view = context.release().get("api/sets/" + ReleaseApi.segment(set));
            List<String> lines = new ArrayList<>();
            if (view.path("paused").isObject()) {
                lines.add("paused   by " + view.path("paused").path("by").asText() + ": "
                        + view.path("paused").path("reason").asText());
            }
            for (JsonNode hold : view.path("holds")) {
                lines.add(hold.path("name").asText() + "  by " + hold.path("placedBy").asText() + " until "
                        + hold.path("until").asText() + ", then " + (hold.path("onExpiry").asText().equals("fail")
                                ? "fail the rollout" : "release") + ": " + hold.path("reason").asText());
            }
            context.result(Map.of("set", set, "paused", view.path("paused"), "holds", view.path("holds")),
                    lines.isEmpty() ? set + " is not held" : String.join("\n", lines));
        }
    }

    private HoldCommand() {
    }
}
