-- Named holds on a set (HoldPlaced on its log), as the agents' fold has them; a row goes when the hold is
-- released or a record of the set's log comes at or after its deadline.
CREATE TABLE set_holds (
    id              VARCHAR(300) PRIMARY KEY,
    deployment_set  VARCHAR(128) NOT NULL,
    name            VARCHAR(128) NOT NULL,
    placed_by       VARCHAR(4096) NOT NULL,
    reason          VARCHAR(4096) NOT NULL,
    placed_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    until           TIMESTAMP WITH TIME ZONE NOT NULL,
    on_expiry       VARCHAR(16) NOT NULL
);
CREATE INDEX set_holds_set ON set_holds (deployment_set, name);

-- What a host's switch hooks (before-drain, after-healthy) did in a rollout, one entry per run.
ALTER TABLE rollout_hosts ADD COLUMN hooks TEXT;

-- A gated rollout: since when it waits for an approval after its canaries (a member's GateReached), and who
-- approved it (GateApproved).
ALTER TABLE rollouts ADD COLUMN gate_since TIMESTAMP WITH TIME ZONE;
ALTER TABLE rollouts ADD COLUMN approved_by VARCHAR(4096);
