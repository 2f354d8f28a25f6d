package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One event as it arrived, kept forever: the audit trail, and the projection's record of what it has seen. */
@Entity
@Table(name = "audit_log")
public class AuditEntry {
    @Id
    @Column(name = "event_id")
    public String eventId;
    public String type;
    public String source;
    public Instant time;
    public String topic;
    @Column(name = "deployment_set")
    public String deploymentSet;
    /** Every digest the event names, space-separated. */
    public String digests;
    /** One line a person can read. */
    public String summary;
    /** The event's data as JSON. */
    public String data;
}
