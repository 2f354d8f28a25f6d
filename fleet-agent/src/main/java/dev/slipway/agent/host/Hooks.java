package dev.slipway.agent.host;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Activation by the operator's commands, for services that something else runs ({@code systemctl restart
 * payments}, say): {@code start} after each switch, {@code drain} then {@code stop} before it. Each runs with
 * the service environment plus {@code SLIPWAY_CURRENT}, the unpacked version's directory, and must exit 0
 * within its bound.
 */
public final class Hooks implements Activation {

    private static final Logger LOG = Logger.getLogger(Hooks.class);
    private static final Duration START_BOUND = Duration.ofMinutes(2);

    /** Commands as argv lists; {@code drain} and {@code stop} may be empty. */
    public record Commands(List<String> start, List<String> drain, List<String> stop) {

        public Commands {
            start = List.copyOf(start);
            drain = List.copyOf(drain);
            stop = List.copyOf(stop);
        }
    }

    private final Commands commands;
    private final Map<String, String> environment;
    private final Path logFile;
    private Path current;
    private boolean running;

    public Hooks(Commands commands, Map<String, String> environment, Path logFile) {
        if (commands.start().isEmpty()) {
            throw new IllegalArgumentException("the start hook is required for hook activation");
        }
        this.commands = commands;
        this.environment = Map.copyOf(environment);
        this.logFile = logFile;
    }

    @Override
    public synchronized void start(Path artifactDirectory) throws IOException {
        current = artifactDirectory;
        try {
            if (!run(commands.start(), START_BOUND)) {
                throw new IOException("start hook " + commands.start() + " failed or passed " + START_BOUND
                        + "; see " + logFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
        running = true;
    }

    @Override
    public synchronized boolean drainAndStop(Duration drainTimeout) throws InterruptedException {
        if (!running) {
            return true;
        }
        boolean clean = commands.drain().isEmpty() || run(commands.drain(), drainTimeout);
        if (!commands.stop().isEmpty() && !run(commands.stop(), drainTimeout)) {
            LOG.warnf("stop hook %s failed or passed %s", commands.stop(), drainTimeout);
        }
        running = false;
        return clean;
    }

    @Override
    public synchronized boolean running() {
        return running;
    }

    private boolean run(List<String> argv, Duration bound) throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Map<String, String> env = new HashMap<>(environment);
        env.put("SLIPWAY_CURRENT", current == null ? "" : current.toString());
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            LOG.warnf("hook %s cannot start: %s", argv, e.getMessage());
            return false;
        }
    }
}
