package dev.slipway.release.readmodel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A deployment set, known from the first event that names it. */
@Entity
@Table(name = "deployment_sets")
public class DeploymentSet {
    @Id
    public String name;
    @Column(name = "first_seen")
    public Instant firstSeen;
}
