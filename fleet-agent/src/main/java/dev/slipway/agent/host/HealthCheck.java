package dev.slipway.agent.host;

import dev.slipway.events.recipe.Recipe;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether the new version works: the recipe's HTTP URL answers 2xx, or its command exits 0, within
 * the per-try timeout; up to {@code retries} more tries, a second apart, and never past the deadline. Nothing
 * a service does can hold it longer: only the status line and headers of an answer are read (an endless body
 * is never waited for), and a command past its timeout is killed with its whole process group (it runs in a
 * session of its own, so whatever it started goes with it).
 */
public final class HealthCheck {

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, String> substitutions;

    /** @param substitutions {@code ${NAME}} in the URL or command becomes the value (the host's port, say) */
    public HealthCheck(Map<String, String> substitutions) {
        this.substitutions = Map.copyOf(substitutions);
    }

    /** Empty when healthy, else what the last try saw. */
    public Optional<String> check(Recipe.HealthCheck spec) throws InterruptedException {
        long deadline = System.nanoTime() + spec.deadline().toNanos();
        String last = "no try ran before the deadline";
        for (int attempt = 0; attempt <= spec.retries() && System.nanoTime() < deadline; attempt++) {
            if (attempt > 0) {
                Thread.sleep(Math.min(1000, Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
            }
            last = once(spec);
            if (last == null) {
                return Optional.empty();
            }
        }
        return Optional.of(last);
    }

    private String once(Recipe.HealthCheck spec) throws InterruptedException {
        try {
            if (spec.url() != null) {
                // The request timeout covers the wait for the headers; the body is closed unread.
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(substitute(spec.url())))
                        .timeout(spec.timeout()).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                response.body().close();
                return response.statusCode() / 100 == 2 ? null : "GET " + substitute(spec.url()) + " answered "
                        + response.statusCode();
            }
            List<String> argv = new ArrayList<>();
            if (Files.isExecutable(SETSID)) {
                argv.add(SETSID.toString());
            }
            spec.command().stream().map(this::substitute).forEach(argv::add);
            Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                killGroup(process);
                return "health command timed out after " + spec.timeout();
            }
            return process.exitValue() == 0 ? null : "health command exited with " + process.exitValue();
        } catch (IOException e) {
            return "health check failed: " + e.getMessage();
        }
    }

    /** The process, everything in its process group, and any descendant that left the group. */
    private static void killGroup(Process process) throws InterruptedException, IOException {
        List<ProcessHandle> tree = process.descendants().toList();
        if (Files.isExecutable(SETSID)) {
            new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        }
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(5, TimeUnit.SECONDS);
    }

    private String substitute(String text) {
        String result = text;
        for (Map.Entry<String, String> entry : substitutions.entrySet()) {
            result = result.replace("${" + entry.getKey() + "}", entry.getValue());
        }
        return result;
    }
}
