package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** An operator's command about one set, sent through the release API (which checks it and records who asked). */
abstract class SetCommand implements Runnable {

    private static final Duration POLL = Duration.ofMillis(250);

    @Mixin
    Context context;

    @Option(names = "--set", required = true, description = "The deployment set")
    String set;

    @Option(names = "--yes", description = "Do not ask for confirmation")
    boolean yes;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "20",
            description = "How long to wait for the command to be carried out or refused (0: do not wait)")
    int waitSeconds;

    /**
     * Sends the command, then follows it until it is carried out or refused: a command the store or the set's log
     * refuses after the service accepted it exits {@link Exit#REFUSED} with who refused it and why.
     */
    void send(String command, Map<String, ?> body) {
        follow(context.release().post("api/sets/" + ReleaseApi.segment(set) + "/" + command, body));
    }

    /** As {@link #send}, for a command the API takes as a DELETE of what it undoes. */
    void sendDelete(String path) {
        follow(context.release().delete("api/sets/" + ReleaseApi.segment(set) + "/" + path));
    }

    private void follow(JsonNode accepted) {
        String what = accepted.path("type").asText().replace("dev.slipway.", "") + " " + accepted.path("id").asText();
        JsonNode outcome = waitSeconds > 0 ? outcome(accepted.path("outcome").asText(), Duration.ofSeconds(waitSeconds))
                : null;
        String status = outcome == null ? "SENT" : outcome.path("status").asText();
        if (status.equals("REFUSED")) {
            throw new CliFailure(Exit.REFUSED, what + " was refused by " + outcome.path("by").asText() + ": "
                    + outcome.path("outcome").asText());
        }
        context.result(outcome == null ? accepted : outcome, status.equals("APPLIED")
                ? what + " carried out for " + set + ": " + outcome.path("outcome").asText()
                : what + " sent for " + set + (waitSeconds > 0 ? "; not carried out within " + waitSeconds + " s: "
                        + "follow it with 'slipway status --set " + set + "'" : ""));
    }

    /** The command's outcome once it is APPLIED or REFUSED; the last one seen (or null) when the wait ends. */
    private JsonNode outcome(String path, Duration patience) {
        Instant deadline = Instant.now().plus(patience);
        JsonNode seen = null;
        while (Instant.now().isBefore(deadline)) {
            seen = context.release().find(path.replaceFirst("^/", "")).orElse(seen);
            if (seen != null && !seen.path("status").asText().equals("SENT")) {
                return seen;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return seen;
            }
        }
        return seen;
    }


    /** Asks a person to type "yes"; without a terminal, only --yes proceeds. */
    void confirm(String question) {
        if (yes) {
            return;
        }
        if (!Context.terminal) {
            throw new CliFailure(Exit.USAGE, question + " Not attached to a terminal: add --yes to confirm.");
        }
        Context.err.print(question + " Type 'yes' to go on: ");
        Context.err.flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (!"yes".equals(answer == null ? null : answer.trim())) {
                throw new CliFailure(Exit.USAGE, "not confirmed; nothing was sent");
            }
        } catch (IOException e) {
            throw new CliFailure(Exit.USAGE, "cannot read the confirmation: " + e.getMessage());
        }
    }
}
