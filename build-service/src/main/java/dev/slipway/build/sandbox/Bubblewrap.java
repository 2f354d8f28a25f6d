package dev.slipway.build.sandbox;

import dev.slipway.events.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A step in bubblewrap: every namespace unshared (so no network but a private loopback, no view of host
 * processes), an empty environment plus the step's own variables, a root of nothing but the inputs
 * (read-only), {@code /work} (writable), and fresh {@code /proc}, {@code /dev} and {@code /tmp}. The sandbox
 * dies with its parent; on timeout, or past its {@link StepLimits}, its whole process tree is killed.
 */
public final class Bubblewrap implements Sandbox {

    private static final String PRLIMIT = "/usr/bin/prlimit";
    private static final Duration WATCH = Duration.ofMillis(200);
    private static final Duration WALK_EVERY = Duration.ofSeconds(1);
    /** The exit status of a step the kernel stopped for writing past {@code RLIMIT_FSIZE}: 128 + SIGXFSZ. */
    private static final int KILLED_BY_SIGXFSZ = 128 + 25;
    private final Path bwrap;
    private final StepLimits limits;

    public Bubblewrap(Path bwrap, StepLimits limits) {
        this.limits = limits;
        this.bwrap = bwrap;
    }

    /** The sandbox with the default {@link StepLimits}. */
    public static Sandbox find(Path bwrap) {
        return find(bwrap, StepLimits.DEFAULT);
    }

    /**
     * The sandbox; when bubblewrap is not installed, one whose every step fails with a message a person can act
     * on, so builds fail rather than run unsandboxed.
     */
    public static Sandbox find(Path bwrap, StepLimits limits) {
        if (Files.isExecutable(bwrap)) {
            return new Bubblewrap(bwrap, limits);
        }
        String missing = "no sandbox: " + bwrap + " is not installed (Debian package bubblewrap; or set "
                + "slipway.build.bwrap); builds never run unsandboxed";
        return new Sandbox() {
            @Override
            public boolean hermetic() {
                return true;
            }

            @Override
            public Result run(Recipe.Step step, Map<String, Path> inputs, Path work, Path log) throws IOException {
                throw new IOException(missing);
            }
        };
    }

    @Override
    public boolean hermetic() {
        return true;
    }

    @Override
    public Result run(Recipe.Step step, Map<String, Path> inputs, Path work, Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PRLIMIT,
                "--data=" + limits.memoryBytes(), "--fsize=" + limits.workBytes(),
                "--nproc=" + (tasksOfThisUser() + limits.processes()), "--",
                bwrap.toString(), "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
                "--proc", "/proc", "--dev", "/dev", "--size", Long.toString(limits.tmpBytes()), "--tmpfs", "/tmp"));
        for (Map.Entry<String, Path> input : new TreeMap<>(inputs).entrySet()) {
            command.addAll(List.of("--ro-bind", input.getValue().toString(), input.getKey()));
        }
        command.addAll(List.of("--bind", work.toString(), "/work", "--chdir", "/work"));
        new TreeMap<>(step.env()).forEach((name, value) -> command.addAll(List.of("--setenv", name, value)));
        command.add("--");
        command.addAll(step.argv());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        // A step that fails for want of memory or /tmp says only that an allocation or a write failed: the log
        // says what the bounds were.
        Files.writeString(log, "== limits: " + limits.memoryBytes() + " bytes of memory per process, "
                + limits.processes() + " processes, " + limits.tmpBytes() + " bytes in /tmp, " + limits.workBytes()
                + " bytes in /work, " + limits.logBytes() + " bytes of log (slipway.build.limits.*)\n",
                StandardOpenOption.APPEND);
        return runBounded(builder, step.timeout(), log, work, limits);
    }

    /**
     * Runs a prepared step process with output appended to {@code log}, no input, and the step's time bound,
     * watching the sizes of {@code work} and the log; whatever happens, nothing it started is left running.
     */
    static Result runBounded(ProcessBuilder builder, Duration timeout, Path log, Path work, StepLimits limits)
            throws IOException, InterruptedException {
        long logBefore = Files.size(log);
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastWalk = System.nanoTime();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                boolean exited = process.waitFor(Math.min(left, WATCH.toNanos()), TimeUnit.NANOSECONDS);
                if (Files.size(log) - logBefore > limits.logBytes()) {
                    return new Result.OverLimit("wrote more than " + limits.logBytes() + " bytes to the build log "
                            + "(slipway.build.limits.log-bytes)");
                }
                if (exited && process.exitValue() == KILLED_BY_SIGXFSZ) {
                    return new Result.OverLimit("wrote a file past " + limits.workBytes() + " bytes "
                            + "(slipway.build.limits.work-bytes)");
                }
                if (exited) {
                    return new Result.Exited(process.exitValue());
                }
                if (System.nanoTime() - deadline >= 0) {
                    return new Result.TimedOut();
                }
                if (process.descendants().count() > limits.processes()) {
                    return new Result.OverLimit("ran more than " + limits.processes() + " processes at once "
                            + "(slipway.build.limits.processes)");
                }
                // Walking a big /work costs: once a second is enough (RLIMIT_FSIZE bounds each file meanwhile).
                if (System.nanoTime() - lastWalk >= WALK_EVERY.toNanos()) {
                    lastWalk = System.nanoTime();
                    if (sizeOf(work) > limits.workBytes()) {
                        return new Result.OverLimit("filled /work past " + limits.workBytes() + " bytes "
                                + "(slipway.build.limits.work-bytes)");
                    }
                }
            }
        } finally {
            killTree(process);
        }
    }

    /** Bytes of the regular files under {@code tree}; files that vanish while it counts are skipped. */
    private static long sizeOf(Path tree) throws IOException {
        long[] total = new long[1];
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.isRegularFile() ? attrs.size() : 0;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /**
     * Tasks (processes and threads) this user runs now: {@code RLIMIT_NPROC} counts them all, the builder's own
     * threads included, so a step's bound is set above them. The kernel exempts root from it: a builder running
     * as root relies on the watch in {@link #runBounded}, which sees a fork bomb within one interval.
     */
    private static long tasksOfThisUser() throws IOException {
        String uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
        long tasks = 0;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try {
                    String status = Files.readString(process.resolve("status"));
                    if (field(status, "Uid:").split("\\s+")[0].equals(uid)) {
                        tasks += Long.parseLong(field(status, "Threads:"));
                    }
                } catch (IOException | RuntimeException gone) {
                    // A process that ended while we read; it counts no more.
                }
            }
        }
        return tasks;
    }

    private static String field(String status, String name) {
        int at = status.indexOf("\n" + name);
        int end = status.indexOf('\n', at + 1);
        return status.substring(at + 1 + name.length(), end).strip();
    }

    /** Descendants first, so none is re-parented and left running when bubblewrap itself goes. */
    static void killTree(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
    }
}
