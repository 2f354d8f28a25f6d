package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

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
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "ended_at")
    public Instant endedAt;

    public boolean is(Status expected) {
        return expected.name().equals(status);
    }
}
