package dev.slipway.build.sandbox;

import dev.slipway.events.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Files;
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
 * dies with its parent; on timeout its whole process tree is killed.
 */
public final class Bubblewrap implements Sandbox {

    private final Path bwrap;

    public Bubblewrap(Path bwrap) {
        this.bwrap = bwrap;
    }

    /**
     * The sandbox; when bubblewrap is not installed, one whose every step fails with a message a person can act
     * on, so builds fail rather than run unsandboxed.
     */
    public static Sandbox find(Path bwrap) {
        if (Files.isExecutable(bwrap)) {
            return new Bubblewrap(bwrap);
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
        List<String> command = new ArrayList<>(List.of(bwrap.toString(), "--unshare-all", "--die-with-parent",
                "--new-session", "--clearenv", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        for (Map.Entry<String, Path> input : new TreeMap<>(inputs).entrySet()) {
            command.addAll(List.of("--ro-bind", input.getValue().toString(), input.getKey()));
        }
        command.addAll(List.of("--bind", work.toString(), "/work", "--chdir", "/work"));
        new TreeMap<>(step.env()).forEach((name, value) -> command.addAll(List.of("--setenv", name, value)));
        command.add("--");
        command.addAll(step.argv());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        return runBounded(builder, step.timeout(), log);
    }

    /**
     * Runs a prepared step process with output appended to {@code log}, no input, and the step's time bound;
     * whatever happens, nothing it started is left running.
     */
    static Result runBounded(ProcessBuilder builder, Duration timeout, Path log)
            throws IOException, InterruptedException {
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Result.Exited(process.exitValue());
            }
            return new Result.TimedOut();
        } finally {
            killTree(process);
        }
    }

    /** Descendants first, so none is re-parented and left running when bubblewrap itself goes. */
    static void killTree(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
    }
}
