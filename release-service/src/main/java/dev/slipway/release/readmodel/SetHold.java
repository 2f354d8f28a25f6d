package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A named hold in place on a set: who placed it, why, until when, and what its deadline does. */
@Entity
@Table(name = "set_holds")
public class SetHold {
    /** {@code <set>/<name>}. */
    @Id
    public String id;
    @Column(name = "deployment_set")
    public String deploymentSet;
    public String name;
    @Column(name = "placed_by")
    public String placedBy;
    public String reason;
    @Column(name = "placed_at")
    public Instant placedAt;
    public Instant until;
    /** {@code release} or {@code fail}. */
    @Column(name = "on_expiry")
    public String onExpiry;

    public static String idOf(String set, String name) {
        return set + "/" + name;
    }
}
