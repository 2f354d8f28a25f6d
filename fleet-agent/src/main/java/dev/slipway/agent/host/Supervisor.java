package dev.slipway.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs the service of the current generation and keeps it running: restarts it when it dies, with doubling
 * back-off up to a minute. Stopping drains first (the manifest's drain command, bounded), then SIGTERM, then
 * SIGKILL after the bound, with every process it started.
 */
public final class Supervisor implements Activation {

    private static final Logger LOG = Logger.getLogger(Supervisor.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final Map<String, String> environment;
    private final Path logFile;
    private final Path pidFile;
    private Process process;
    private Path directory;
    private Manifest manifest;
    private Thread watcher;
    private volatile boolean wanted;

    /**
     * @param pidFile where the running service's pid is kept, so an agent that restarts (after a crash, say)
     *                stops the service its predecessor left running before it starts one
     */
    public Supervisor(Map<String, String> environment, Path logFile, Path pidFile) {
        this.environment = Map.copyOf(environment);
        this.logFile = logFile;
        this.pidFile = pidFile;
    }

    @Override
    public synchronized void start(Path artifactDirectory) throws IOException {
        stopNow(Duration.ofSeconds(5));
        stopOrphan();
        this.directory = artifactDirectory;
        this.manifest = Manifest.read(artifactDirectory);
        wanted = true;
        process = launch();
        Process started = process;
        watcher = new Thread(() -> watch(started), "supervisor");
        watcher.setDaemon(true);
        watcher.start();
    }

    @Override
    public synchronized void leaveRunning() {
        wanted = false;
    }

    /**
     * Drains, then stops: the drain command runs (and in-flight work finishes) within {@code drainTimeout}; then
     * SIGTERM, and SIGKILL if the service is still there after the same bound.
     *
     * @return true when the drain finished within its bound
     */
    @Override
    public synchronized boolean drainAndStop(Duration drainTimeout) throws InterruptedException {
        if (process == null) {
            return true;
        }
        boolean clean = true;
        if (!manifest.drain().isEmpty()) {
            try {
                Process drain = command(manifest.drain()).start();
                clean = drain.waitFor(drainTimeout.toMillis(), TimeUnit.MILLISECONDS) && drain.exitValue() == 0;
                if (drain.isAlive()) {
                    drain.destroyForcibly();
                }
            } catch (IOException e) {
                LOG.warnf("drain command failed to start: %s", e.getMessage());
                clean = false;
            }
        }
        stopNow(drainTimeout);
        return clean;
    }

    @Override
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /**
     * SIGTERM to the service alone (its workers are its own business: a server finishing a request in a
     * child must be let finish), then up to {@code bound} for it and everything it started to exit, then
     * SIGKILL for whatever is left.
     */
    private void stopNow(Duration bound) {
        wanted = false;
        Process stopping = process;
        process = null;
        if (stopping == null) {
            return;
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            LOG.warnf("cannot remove %s: %s", pidFile, e.getMessage());
        }
        List<ProcessHandle> tree = stopping.descendants().toList();
        long until = System.nanoTime() + bound.toNanos();
        stopping.destroy();
        try {
            stopping.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
            for (ProcessHandle child : tree) {
                long left = until - System.nanoTime();
                if (left > 0) {
                    child.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warnf("the service's processes outlived the bound of %s; killing them", bound);
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        stopping.destroyForcibly();
    }

    private void watch(Process watched) {
        Duration backoff = Duration.ofMillis(500);
        Process current = watched;
        while (true) {
            try {
                current.waitFor();
                synchronized (this) {
                    if (!wanted || process != current) {
                        return;
                    }
                    LOG.warnf("service exited with %d; restarting in %s", current.exitValue(), backoff);
                }
                Thread.sleep(backoff.toMillis());
                synchronized (this) {
                    if (!wanted || process != current) {
                        return;
                    }
                    process = launch();
                    current = process;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                LOG.errorf("cannot restart the service: %s", e.getMessage());
                return;
            }
        }
    }

    private Process launch() throws IOException {
        Process started = command(manifest.start()).start();
        // The start time too: a pid alone may have been reused by an unrelated process after a reboot.
        Files.writeString(pidFile, started.pid() + " " + started.info().startInstant().map(Object::toString).orElse("?"));
        return started;
    }

    private void stopOrphan() throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        String[] recorded = Files.readString(pidFile).strip().split(" ");
        Files.delete(pidFile);
        String pid = recorded[0];
        Optional<ProcessHandle> orphan = pid.matches("[0-9]+") ? ProcessHandle.of(Long.parseLong(pid)) : Optional.empty();
        if (orphan.isEmpty() || recorded.length < 2 || !orphan.get().info().startInstant().map(Object::toString)
                .orElse("").equals(recorded[1])) {
            return;
        }
        LOG.infof("stopping the service (pid %s) a previous agent left running", pid);
        List<ProcessHandle> tree = orphan.get().descendants().toList();
        orphan.get().destroy();
        try {
            orphan.get().onExit().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            orphan.get().destroyForcibly();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    private ProcessBuilder command(List<String> argv) {
        List<String> resolved = argv.stream()
                .map(arg -> arg.startsWith("./") ? directory.resolve(arg.substring(2)).toString() : arg).toList();
        ProcessBuilder builder = new ProcessBuilder(resolved).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        return builder;
    }
}
