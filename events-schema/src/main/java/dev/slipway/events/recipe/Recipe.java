package dev.slipway.events.recipe;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.slipway.events.rollout.RolloutPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a team's service is built, and how its hosts take the result. Stored in the store as canonical JSON
 * ({@link RecipeJson}): its digest is its name, and it covers every input digest, so it is also the build's
 * cache key. Schema: {@code dev/slipway/events/schema/recipe.v1.schema.json}.
 *
 * @param deploymentSet the set whose hosts run what this recipe builds
 * @param inputs        name to content mounted read-only in the sandbox: sources, dependencies, toolchains
 * @param steps         run in order in one work directory, {@code /work}; the first failure ends the build
 * @param outputs       paths under {@code /work} packed into the artifact, files or directories
 * @param rollout       the team's rollout policy, carried to the agents with the artifact
 */
public record Recipe(String deploymentSet, Map<String, Input> inputs, List<Step> steps, List<String> outputs,
        Rollout rollout) {

    public Recipe {
        inputs = Map.copyOf(inputs);
        steps = List.copyOf(steps);
        outputs = List.copyOf(outputs);
    }

    /**
     * Content in the store, read-only at {@code mount}: a tar archive unpacked there ({@link Kind#TREE}, the
     * default), or one file placed there as it is ({@link Kind#FILE}: a jar, a tarball a step unpacks itself),
     * whose digest is then the sha256 its publisher gives.
     */
    public record Input(String digest, String mount, Kind kind) {

        public Input {
            kind = kind == null ? Kind.TREE : kind;
        }

        public Input(String digest, String mount) {
            this(digest, mount, Kind.TREE);
        }
    }

    /** How an input's bytes become paths in the sandbox. */
    public enum Kind {
        @JsonProperty("tree") TREE,
        @JsonProperty("file") FILE
    }

    /** One command: an argv (no shell unless the recipe names one), exactly this environment, a time bound. */
    public record Step(String name, List<String> argv, Map<String, String> env, Duration timeout) {

        public Step {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
        }
    }

    /**
     * @param canaryHosts      hosts that take the version first, alone
     * @param health           how an agent decides the new version works
     * @param progressDeadline how long a rollout waits for a member to claim before counting it lost; absent:
     *                         the slot deadline
     * @param approvalWithin   absent: no gate; else the other hosts wait for an operator's approval once the
     *                         canaries are done, and the rollout aborts when none comes within this long
     * @param windows          absent: any time; else the weekly ranges (see {@code DeploymentWindows}) in which the
     *                         rollout may grant slots forward
     * @param approveEachBatch with {@code approvalWithin}: every batch after the canaries waits for its own approval
     * @param release          a release tag shared with the recipes of other sets that ship together; absent: none
     * @param after            sets whose rollout of this {@code release} (or of a named recipe, {@code set@digest})
     *                         must complete before this one's grants anything forward
     */
    public record Rollout(int maxUnavailable, int failureTolerance, Duration slotDeadline, Duration drainTimeout,
            List<String> canaryHosts, HealthCheck health, Duration progressDeadline, Duration approvalWithin,
            List<String> windows, Boolean approveEachBatch, String release, List<String> after) {

        public Rollout {
            canaryHosts = List.copyOf(canaryHosts);
            windows = windows == null ? List.of() : List.copyOf(windows);
            approveEachBatch = approveEachBatch != null && approveEachBatch;
            after = after == null ? List.of() : List.copyOf(after);
            progressDeadline = progressDeadline == null ? slotDeadline : progressDeadline;
        }

        public Rollout(int maxUnavailable, int failureTolerance, Duration slotDeadline, Duration drainTimeout,
                List<String> canaryHosts, HealthCheck health) {
            this(maxUnavailable, failureTolerance, slotDeadline, drainTimeout, canaryHosts, health, null, null, null, false, null, null);
        }

        /** The part of it that travels to the agents in {@code RolloutStarted}. */
        public RolloutPolicy policy() {
            return new RolloutPolicy(maxUnavailable, failureTolerance, slotDeadline,
                    drainTimeout, progressDeadline, approvalWithin, windows, approveEachBatch, release, after);
        }
    }

    /**
     * An HTTP URL answered with 2xx, or a command that exits 0, within {@code timeout} per try, tried up to
     * {@code retries} more times until {@code deadline}.
     */
    public record HealthCheck(String url, List<String> command, Duration timeout, int retries, Duration deadline) {

        public HealthCheck {
            command = command == null ? List.of() : List.copyOf(command);
        }
    }
}
