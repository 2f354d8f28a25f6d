package dev.slipway.build.sandbox;

import dev.slipway.events.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Where a build step runs. */
public interface Sandbox {

    /** How a step ended. */
    sealed interface Result {
        record Exited(int status) implements Result {
        }

        record TimedOut() implements Result {
        }

        /** Killed for going past one of its {@link StepLimits}: which, in words a person can act on. */
        record OverLimit(String what) implements Result {
        }
    }

    /** False only for an explicitly configured unsandboxed mode; then events and provenance say so. */
    boolean hermetic();

    /**
     * Runs one step with {@code work} as {@code /work}, each input directory read-only at its mount, and
     * nothing else of the host; output and errors are appended to {@code log}. A step past its timeout is
     * killed with every process it started.
     *
     * @param inputs mount point to the unpacked input directory
     */
    Result run(Recipe.Step step, Map<String, Path> inputs, Path work, Path log) throws IOException, InterruptedException;
}
