package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A deployment set, known from the first event that names it; paused while an operator's pause holds it. */
@Entity
@Table(name = "deployment_sets")
public class DeploymentSet {
    @Id
    public String name;
    @Column(name = "first_seen")
    public Instant firstSeen;
    @Column(name = "paused_by")
    public String pausedBy;
    @Column(name = "pause_reason")
    public String pauseReason;
    @Column(name = "paused_at")
    public Instant pausedAt;

    public boolean paused() {
        return pausedAt != null;
    }
}
