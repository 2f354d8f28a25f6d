package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A command that was not carried out, keyed by the id its effect would have carried ({@link Command#effectIdOf}):
 * a consumer refused it (its dead letter says who and why), or the set's log made it moot.
 */
@Entity
@Table(name = "command_refusals")
public class CommandRefusal {
    @Id
    @Column(name = "effect_id")
    public String effectId;
    /** Null when only the effect was seen (a relayed rollback the set's log ignored). */
    @Column(name = "command_id")
    public String commandId;
    @Column(name = "deployment_set")
    public String deploymentSet;
    @Column(name = "refused_by")
    public String refusedBy;
    public String reason;
    @Column(name = "refused_at")
    public Instant refusedAt;
}
