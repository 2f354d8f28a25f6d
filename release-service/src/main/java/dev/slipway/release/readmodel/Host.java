package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One agent's host: membership from the set's log, what it runs from its own state reports. */
@Entity
@Table(name = "hosts")
public class Host {
    @Id
    @Column(name = "agent_id")
    public String agentId;
    @Column(name = "deployment_set")
    public String deploymentSet;
    public String channel;
    public boolean canary;
    /** False once the host said it left the set. */
    public boolean member;
    public String current;
    public String previous;
    public String health;
    public String problem;
    @Column(name = "last_seen")
    public Instant lastSeen;
}
