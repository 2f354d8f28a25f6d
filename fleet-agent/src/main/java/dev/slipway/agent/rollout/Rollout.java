package dev.slipway.agent.rollout;

import dev.slipway.events.rollout.RolloutPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One rollout of a set as the fold sees it. Changed only by {@link SetFold}. */
public final class Rollout {

    public enum Status {
        RUNNING, PAUSED, COMPLETED, ABORTED, SUPERSEDED
    }

    private final String id;
    private final String recipe;
    private final String artifact;
    private final RolloutPolicy policy;
    Status status = Status.RUNNING;
    String reason;
    final List<String> claims = new ArrayList<>();
    /** Slot holders and the log time their slot was granted. */
    final Map<String, Instant> holding = new LinkedHashMap<>();
    final Set<String> healthy = new LinkedHashSet<>();
    final Set<String> failed = new LinkedHashSet<>();
    final Set<String> switched = new LinkedHashSet<>();
    /** Most hosts that ever held a slot at once: the limit's witness. */
    int peakHolding;

    Rollout(String id, String recipe, String artifact, RolloutPolicy policy) {
        this.id = id;
        this.recipe = recipe;
        this.artifact = artifact;
        this.policy = policy;
    }

    public String id() {
        return id;
    }

    public String recipe() {
        return recipe;
    }

    public String artifact() {
        return artifact;
    }

    public RolloutPolicy policy() {
        return policy;
    }

    public Status status() {
        return status;
    }

    /** Why it was aborted, paused or superseded; null while it runs. */
    public String reason() {
        return reason;
    }

    public boolean holds(String host) {
        return holding.containsKey(host);
    }

    public Map<String, Instant> holding() {
        return Collections.unmodifiableMap(holding);
    }

    public Set<String> healthy() {
        return Collections.unmodifiableSet(healthy);
    }

    public Set<String> failed() {
        return Collections.unmodifiableSet(failed);
    }

    /** Hosts that switched to this rollout's artifact (and roll back if it aborts). */
    public Set<String> switched() {
        return Collections.unmodifiableSet(switched);
    }

    public boolean claimed(String host) {
        return claims.contains(host) || holding.containsKey(host) || healthy.contains(host) || failed.contains(host);
    }

    public int peakHolding() {
        return peakHolding;
    }

    /** True once the host needs nothing more from this rollout. */
    public boolean done(String host) {
        return healthy.contains(host) || failed.contains(host);
    }
}
