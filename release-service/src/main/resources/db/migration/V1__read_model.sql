-- The read model: every table is a projection of the event log, rebuilt identically by a replay.

-- Every event, once, as it arrived. Append-only: the projection never updates or deletes a row here.
CREATE TABLE audit_log (
    event_id        VARCHAR(256) PRIMARY KEY,
    type            VARCHAR(128) NOT NULL,
    source          VARCHAR(1024) NOT NULL,
    time            TIMESTAMP WITH TIME ZONE NOT NULL,
    topic           VARCHAR(128) NOT NULL,
    deployment_set  VARCHAR(128),
    -- Every digest the event names, space-separated, for "everything about this digest".
    digests         TEXT NOT NULL,
    summary         TEXT NOT NULL,
    data            TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (time DESC, event_id);
CREATE INDEX audit_log_set ON audit_log (deployment_set, time DESC);

CREATE TABLE deployment_sets (
    name            VARCHAR(128) PRIMARY KEY,
    first_seen      TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE builds (
    recipe          VARCHAR(71) PRIMARY KEY,
    state           VARCHAR(16) NOT NULL,
    requested_by    VARCHAR(4096),
    requested_at    TIMESTAMP WITH TIME ZONE,
    builder         VARCHAR(4096),
    started_at      TIMESTAMP WITH TIME ZONE,
    finished_at     TIMESTAMP WITH TIME ZONE,
    hermetic        BOOLEAN,
    cache_hit       BOOLEAN,
    artifact        VARCHAR(71),
    log             VARCHAR(71),
    reason          TEXT,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE artifacts (
    digest          VARCHAR(71) PRIMARY KEY,
    recipe          VARCHAR(71) NOT NULL,
    deployment_set  VARCHAR(128),
    inputs          TEXT NOT NULL,
    provenance      VARCHAR(71),
    signature       TEXT,
    log             VARCHAR(71),
    builder         VARCHAR(4096),
    hermetic        BOOLEAN NOT NULL,
    built_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    rejected_reason TEXT
);
CREATE INDEX artifacts_recipe ON artifacts (recipe);

-- One row per recipe, set and channel: the deployable flag as the store announced it.
CREATE TABLE deployables (
    id              VARCHAR(400) PRIMARY KEY,
    deployment_set  VARCHAR(128) NOT NULL,
    channel         VARCHAR(128) NOT NULL,
    recipe          VARCHAR(71) NOT NULL,
    artifact        VARCHAR(71),
    flagged_by      VARCHAR(4096),
    flagged_at      TIMESTAMP WITH TIME ZONE,
    revoked_by      VARCHAR(4096),
    revoked_at      TIMESTAMP WITH TIME ZONE,
    revoke_reason   TEXT
);
CREATE INDEX deployables_set ON deployables (deployment_set);

CREATE TABLE hosts (
    agent_id        VARCHAR(256) PRIMARY KEY,
    deployment_set  VARCHAR(128) NOT NULL,
    channel         VARCHAR(128),
    canary          BOOLEAN NOT NULL,
    member          BOOLEAN NOT NULL,
    current         VARCHAR(71),
    previous        VARCHAR(71),
    health          VARCHAR(16),
    problem         TEXT,
    last_seen       TIMESTAMP WITH TIME ZONE
);
CREATE INDEX hosts_set ON hosts (deployment_set);

CREATE TABLE rollouts (
    id              VARCHAR(256) PRIMARY KEY,
    deployment_set  VARCHAR(128) NOT NULL,
    channel         VARCHAR(128) NOT NULL,
    recipe          VARCHAR(71) NOT NULL,
    artifact        VARCHAR(71) NOT NULL,
    policy          TEXT NOT NULL,
    status          VARCHAR(16) NOT NULL,
    reason          TEXT,
    failures        INTEGER NOT NULL,
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at        TIMESTAMP WITH TIME ZONE
);
CREATE INDEX rollouts_set ON rollouts (deployment_set, started_at DESC);

-- Each host's progress through one rollout.
CREATE TABLE rollout_hosts (
    id              VARCHAR(520) PRIMARY KEY,
    rollout_id      VARCHAR(256) NOT NULL,
    host            VARCHAR(256) NOT NULL,
    step            VARCHAR(16) NOT NULL,
    drained_clean   BOOLEAN,
    from_artifact   VARCHAR(71),
    generation      BIGINT,
    reason          TEXT,
    reported_by     VARCHAR(256),
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX rollout_hosts_rollout ON rollout_hosts (rollout_id);
