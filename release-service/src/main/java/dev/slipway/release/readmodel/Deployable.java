package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A recipe's deployable flag on one channel of a set, as the store announced it, and its revocation. */
@Entity
@Table(name = "deployables")
public class Deployable {
    @Id
    public String id;
    @Column(name = "deployment_set")
    public String deploymentSet;
    public String channel;
    public String recipe;
    public String artifact;
    @Column(name = "flagged_by")
    public String flaggedBy;
    @Column(name = "flagged_at")
    public Instant flaggedAt;
    @Column(name = "revoked_by")
    public String revokedBy;
    @Column(name = "revoked_at")
    public Instant revokedAt;
    @Column(name = "revoke_reason")
    public String revokeReason;

    public static String idOf(String set, String channel, String recipe) {
        return set + "|" + channel + "|" + recipe;
    }
}
