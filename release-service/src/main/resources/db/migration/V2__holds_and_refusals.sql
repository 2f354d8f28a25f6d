-- A pause holds the set, not one rollout: whatever is in progress, and whatever starts until the resume.
ALTER TABLE deployment_sets ADD COLUMN paused_by VARCHAR(4096);
ALTER TABLE deployment_sets ADD COLUMN pause_reason VARCHAR(4096);
ALTER TABLE deployment_sets ADD COLUMN paused_at TIMESTAMP WITH TIME ZONE;

-- A command that was not carried out: refused by a consumer (its dead letter) or ignored by the set's log (a
-- rollback of a rollout that is no longer the set's). Keyed by the id the command's effect would have had.
CREATE TABLE command_refusals (
    effect_id       VARCHAR(256) PRIMARY KEY,
    command_id      VARCHAR(256),
    deployment_set  VARCHAR(128),
    refused_by      VARCHAR(1024) NOT NULL,
    reason          TEXT NOT NULL,
    refused_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX command_refusals_set ON command_refusals (deployment_set, refused_at DESC);
