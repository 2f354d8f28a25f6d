package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.slipway.events.rollout.DeploymentWindows;
import dev.slipway.events.rollout.RolloutPolicy;
import dev.slipway.events.wire.EventJson;
import java.time.Instant;
import java.util.List;

/** One rollout of an artifact to a set, as its coordination log tells it. */
@Entity
@Table(name = "rollouts")
public class Rollout {
    public enum Status { RUNNING, PAUSED, COMPLETED, ABORTED, SUPERSEDED }

    @Id
    public String id;
    @Column(name = "deployment_set")
    public String deploymentSet;
    public String channel;
    public String recipe;
    public String artifact;
    /** The recipe's rollout policy, as JSON. */
    public String policy;
    public String status;
    public String reason;
    public int failures;
    @Column(name = "started_at")
    public Instant startedAt;
    /** Since when it waits at its gate for an approval (a member said so); null when it does not. */
    @Column(name = "gate_since")
    public Instant gateSince;
    @Column(name = "approved_by")
    public String approvedBy;
    /** Which batch after the canaries its gate is for (0 first; later ones with {@code approveEachBatch}). */
    @Column(name = "gate_batch")
    public int gateBatch;
    /** The entries of its policy's {@code after} that a member said are met, one per line; null before any. */
    @Column(name = "prerequisites_met")
    public String prerequisitesMet;
    /** Who let it go on outside its deployment windows; null unless someone did. */
    @Column(name = "window_overridden_by")
    public String windowOverriddenBy;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "ended_at")
    public Instant endedAt;

    /** {@link #policy} read; not a column. */
    private transient RolloutPolicy parsed;

    public boolean is(Status expected) {
        return expected.name().equals(status);
    }

    /** Whether its policy has an approval gate ({@code approvalWithin}): without one nothing waits for an operator. */
    public boolean gated() {
        RolloutPolicy parsed = parsedPolicy();
        return parsed != null && parsed.approvalWithin() != null;
    }

    /** The deployment windows its policy names; empty: any time. */
    @JsonProperty("windows")
    public List<String> windows() {
        RolloutPolicy parsed = parsedPolicy();
        return parsed == null ? List.of() : parsed.windows();
    }

    /**
     * While it is under way, the sets it follows that have not completed what it waits for (its policy's
     * {@code after} entries, each with the release or recipe), as the agents' fold has them; empty otherwise.
     */
    @JsonProperty("waitingForSets")
    public List<String> waitingForSets() {
        RolloutPolicy parsed = parsedPolicy();
        if (parsed == null || !(is(Status.RUNNING) || is(Status.PAUSED))) {
            return List.of();
        }
        List<String> met = prerequisitesMet == null ? List.of() : List.of(prerequisitesMet.split("\n"));
        return parsed.after().stream().filter(after -> !met.contains(after))
                .map(after -> after.contains("@") ? after.replace("@", " (recipe ") + ")"
                        : after + " (release " + parsed.release() + ")")
                .toList();
    }

    /** The policy, read once per loaded row: a view asks for its windows and sets several times. */
    private RolloutPolicy parsedPolicy() {
        if (parsed == null && policy != null) {
            try {
                parsed = EventJson.mapper().readValue(policy, RolloutPolicy.class);
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        return parsed;
    }

    /**
     * For the console, by this service's clock: when the next of its windows opens while it is under way outside
     * them and nobody overrode them; null otherwise. The agents decide by the log's time, not by this.
     */
    @JsonProperty("windowOpensAt")
    public Instant windowOpensAt() {
        List<String> windows = windows();
        if (windows.isEmpty() || windowOverriddenBy != null || !(is(Status.RUNNING) || is(Status.PAUSED))) {
            return null;
        }
        try {
            Instant now = Instant.now();
            Instant opens = DeploymentWindows.of(windows).nextOpening(now);
            return now.equals(opens) ? null : opens;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
