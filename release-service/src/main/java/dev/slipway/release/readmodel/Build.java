package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The latest build of a recipe; earlier attempts are in the audit log. */
@Entity
@Table(name = "builds")
public class Build {
    public enum State { REQUESTED, RUNNING, SUCCEEDED, FAILED }

    @Id
    public String recipe;
    public String state;
    @Column(name = "requested_by")
    public String requestedBy;
    @Column(name = "requested_at")
    public Instant requestedAt;
    public String builder;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    public Boolean hermetic;
    @Column(name = "cache_hit")
    public Boolean cacheHit;
    public String artifact;
    public String log;
    public String reason;
    /** Time of the latest of request, start and outcome. */
    @Column(name = "updated_at")
    public Instant updatedAt;

    /** The state is the latest part of the build: a new request after an outcome is a new build. */
    public void settleState() {
        State latest = null;
        updatedAt = null;
        if (requestedAt != null) {
            latest = State.REQUESTED;
            updatedAt = requestedAt;
        }
        if (startedAt != null && (updatedAt == null || !startedAt.isBefore(updatedAt))) {
            latest = State.RUNNING;
            updatedAt = startedAt;
        }
        if (finishedAt != null && (updatedAt == null || !finishedAt.isBefore(updatedAt))) {
            latest = artifact != null ? State.SUCCEEDED : State.FAILED;
            updatedAt = finishedAt;
        }
        state = latest.name();
    }
}
