package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** An operator's command about one set, sent through the release API (which checks it and records who asked). */
abstract class SetCommand implements Runnable {

    @Mixin
    Context context;

    @Option(names = "--set", required = true, description = "The deployment set")
    String set;

    @Option(names = "--yes", description = "Do not ask for confirmation")
    boolean yes;

    /** Sends the command; prints what the service accepted. */
    void send(String command, Map<String, ?> body) {
        JsonNode accepted = context.release().post("api/sets/" + ReleaseApi.segment(set) + "/" + command, body);
        context.result(accepted, accepted.path("type").asText() + " sent for " + set + " ("
                + accepted.path("id").asText() + ")");
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
