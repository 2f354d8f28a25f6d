package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Where one host is in one rollout. */
@Entity
@Table(name = "rollout_hosts")
public class RolloutHost {
    public enum Step { CLAIMED, DRAINED, SWITCHED, HEALTHY, FAILED }

    @Id
    public String id;
    @Column(name = "rollout_id")
    public String rolloutId;
    public String host;
    public String step;
    @Column(name = "drained_clean")
    public Boolean drainedClean;
    @Column(name = "from_artifact")
    public String fromArtifact;
    public Long generation;
    public String reason;
    @Column(name = "reported_by")
    public String reportedBy;
    @Column(name = "updated_at")
    public Instant updatedAt;
    /** Each switch hook the host ran, in order: its name, exit code, time taken, then its output. */
    public String hooks;

    public static String idOf(String rolloutId, String host) {
        return rolloutId + "|" + host;
    }
}
