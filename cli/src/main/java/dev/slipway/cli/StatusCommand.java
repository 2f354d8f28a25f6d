package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", description = "Sets, hosts, versions and rollout progress; --watch follows live.")
final class StatusCommand implements Runnable {

    private static final Duration STALE_AFTER = Duration.ofSeconds(90);

    @Mixin
    Context context;

    @Option(names = "--set", description = "One set in detail")
    String set;

    @Option(names = "--watch", description = "Print again on every change, until interrupted")
    boolean watch;

    @Override
    public void run() {
        ReleaseApi release = context.release();
        show(release);
        if (watch) {
            release.follow(change -> {
                if (!"heartbeat".equals(change.path("type").asText())
                        && (set == null || set.equals(change.path("deploymentSet").asText()))) {
                    context.say("-- " + change.path("summary").asText());
                    show(release);
                }
            });
        }
    }

    /** Three heartbeats missed. */
    private static boolean stale(JsonNode host) {
        return host.hasNonNull("lastSeen")
                && Instant.parse(host.path("lastSeen").asText()).isBefore(Instant.now().minus(STALE_AFTER));
    }

    private void show(ReleaseApi release) {
        if (set == null) {
            JsonNode sets = release.get("api/sets");
            StringBuilder lines = new StringBuilder();
            for (JsonNode s : sets) {
                JsonNode latest = s.path("latestRollout");
                lines.append(String.format("%-24s %3d/%-3d healthy  %s%s%n", s.path("name").asText(),
                        s.path("healthy").asInt(), s.path("hosts").asInt(),
                        latest.isMissingNode() || latest.isNull() ? "no rollout"
                                : latest.path("status").asText() + " " + latest.path("artifact").asText(),
                        s.path("paused").isObject() ? "  PAUSED by " + s.path("paused").path("by").asText() : ""));
            }
            context.result(sets, lines.toString().stripTrailing());
            return;
        }
        JsonNode view = release.get("api/sets/" + ReleaseApi.segment(set));
        StringBuilder lines = new StringBuilder(set).append('\n');
        JsonNode paused = view.path("paused");
        if (paused.isObject()) {
            lines.append(String.format("PAUSED by %s since %s: %s (resume with 'slipway resume --set %s')%n",
                    paused.path("by").asText(), paused.path("since").asText(), paused.path("reason").asText(), set));
        }
        JsonNode latest = view.path("rollouts").path(0);
        if (!latest.isMissingNode()) {
            lines.append(String.format("rollout %s: %s, %d failure(s)%s%n", latest.path("id").asText(),
                    latest.path("status").asText(), latest.path("failures").asInt(),
                    latest.path("reason").isNull() ? "" : " — " + latest.path("reason").asText()));
            boolean underway = List.of("RUNNING", "PAUSED").contains(latest.path("status").asText());
            if (underway && latest.path("gateSince").isTextual() && latest.path("approvedBy").isNull()) {
                lines.append(String.format("  waits at its gate for an operator's approval of batch %d after the "
                        + "canaries since %s (approve with 'slipway approve --set %s --reason R')%n",
                        latest.path("gateBatch").asInt() + 1, latest.path("gateSince").asText(), set));
            }
            if (latest.path("waitingForSets").size() > 0) {
                List<String> sets = new ArrayList<>();
                latest.path("waitingForSets").forEach(waiting -> sets.add(waiting.asText()));
                lines.append(String.format("  follows other sets: waits until %s completed%n", String.join(", ", sets)));
            }
            if (latest.path("windowOpensAt").isTextual()) {
                lines.append(String.format("  waits outside its deployment windows %s: the next opens at %s (go on now "
                        + "with 'slipway override-window --set %s --reason R')%n", latest.path("windows"),
                        latest.path("windowOpensAt").asText(), set));
            }
        }
        for (JsonNode host : view.path("hosts")) {
            lines.append(String.format("  %-24s %-8s %s%s%n", host.path("agentId").asText(),
                    stale(host) ? "stale" : host.path("health").asText(), host.path("current").asText(),
                    host.path("canary").asBoolean() ? "  (canary)" : ""));
            if (stale(host)) {
                lines.append("    its agent is silent since ").append(host.path("lastSeen").asText())
                        .append(" (it says it is alive every 30 s)\n");
            }
            if (host.hasNonNull("problem")) {
                lines.append("    ").append(host.path("problem").asText()).append('\n');
            }
        }
        for (JsonNode command : view.path("commands")) {
            if (command.path("status").asText().equals("REFUSED")) {
                lines.append(String.format("refused: %s — by %s: %s%n", command.path("summary").asText(),
                        command.path("by").asText(), command.path("outcome").asText()));
            }
        }
        context.result(view, lines.toString().stripTrailing());
    }
}
