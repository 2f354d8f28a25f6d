package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A built artifact and where it came from. */
@Entity
@Table(name = "artifacts")
public class Artifact {
    @Id
    public String digest;
    public String recipe;
    @Column(name = "deployment_set")
    public String deploymentSet;
    /** Input name to digest, as JSON. */
    public String inputs;
    public String provenance;
    public String signature;
    public String log;
    public String builder;
    public boolean hermetic;
    @Column(name = "built_at")
    public Instant builtAt;
    /** Why the store refused to flag it; null when it did not. */
    @Column(name = "rejected_reason")
    public String rejectedReason;
}
