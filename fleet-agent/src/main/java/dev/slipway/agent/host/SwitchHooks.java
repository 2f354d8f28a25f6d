package dev.slipway.agent.host;

import dev.slipway.events.rollout.HookRan;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator's commands around a switch, for what else must know of it: {@code before-drain} (take the host
 * out of a load balancer) before the old version drains, {@code after-healthy} (put it back) once the new one
 * answers its health check, each within a timeout. They run with the service environment plus
 * {@code SLIPWAY_HOOK}, {@code SLIPWAY_HOST}, {@code SLIPWAY_ROLLOUT}, {@code SLIPWAY_FROM} and {@code SLIPWAY_TO}
 * (artifact digests; empty when none), and a non-zero exit or a timeout counts as the host failing.
 */
public final class SwitchHooks {

    /** The most of a hook's output that is kept: its end, where the error usually is. */
    static final int OUTPUT = 4096;

    /** Commands as argv lists; either may be empty. */
    public record Commands(List<String> beforeDrain, List<String> afterHealthy, Duration timeout) {

        public Commands {
            beforeDrain = List.copyOf(beforeDrain);
            afterHealthy = List.copyOf(afterHealthy);
        }
    }

    /** What a hook did: its exit code ({@code -1}: timed out or could not start), the end of its output. */
    public record Ran(String hook, int exitCode, String output, long millis) {

        public boolean ok() {
            return exitCode == 0;
        }

        /** One line for a failure's reason. */
        public String why() {
            String last = output.strip().lines().reduce((first, next) -> next).orElse("");
            return hook + " hook " + (exitCode < 0 ? "did not finish" : "exited " + exitCode)
                    + (last.isEmpty() ? "" : ": " + last);
        }
    }

    private final Commands commands;
    private final Map<String, String> environment;
    private final Path output;

    /** @param output where each run's output goes before its end is read back (replaced by the next run) */
    public SwitchHooks(Commands commands, Map<String, String> environment, Path output) {
        this.commands = commands;
        this.environment = Map.copyOf(environment);
        this.output = output;
    }

    /** The hook's run, or null when none is configured for it. */
    public Ran run(String hook, String rollout, String host, String from, String to) throws InterruptedException {
        List<String> argv = HookRan.BEFORE_DRAIN.equals(hook) ? commands.beforeDrain() : commands.afterHealthy();
        if (argv.isEmpty()) {
            return null;
        }
        Map<String, String> env = new HashMap<>(environment);
        env.put("SLIPWAY_HOOK", hook);
        env.put("SLIPWAY_HOST", host);
        env.put("SLIPWAY_ROLLOUT", rollout);
        env.put("SLIPWAY_FROM", from == null ? "" : from);
        env.put("SLIPWAY_TO", to == null ? "" : to);
        long started = System.nanoTime();
        int exit;
        try {
            Files.createDirectories(output.getParent());
            ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            if (process.waitFor(commands.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                exit = process.exitValue();
            } else {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                exit = -1;
                Files.writeString(output, "\n(passed its timeout of " + commands.timeout() + ")",
                        StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            return new Ran(hook, -1, "cannot run " + argv + ": " + e.getMessage(), millisSince(started));
        }
        return new Ran(hook, Math.min(exit, 255), tail(), millisSince(started));
    }

    private static long millisSince(long started) {
        return Duration.ofNanos(System.nanoTime() - started).toMillis();
    }

    /** The end of the output, as printable text: it goes into events and the operator's view. */
    private String tail() {
        try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
            long length = file.length();
            byte[] end = new byte[(int) Math.min(length, OUTPUT)];
            file.seek(length - end.length);
            file.readFully(end);
            String text = new String(end, StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}&&[^\\n\\t]]", "?");
            return text.length() > OUTPUT ? text.substring(text.length() - OUTPUT) : text;
        } catch (IOException e) {
            return "(its output cannot be read: " + e.getMessage() + ")";
        }
    }
}
