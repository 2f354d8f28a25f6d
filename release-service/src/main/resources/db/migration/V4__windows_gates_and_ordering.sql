-- Who let a rollout go on outside its deployment windows (WindowOverridden); its windows are in its policy.
ALTER TABLE rollouts ADD COLUMN window_overridden_by VARCHAR(4096);

-- Which batch after the canaries a gated rollout waits for (GateReached.batch): 0 first, later ones when its
-- policy approves each batch.
ALTER TABLE rollouts ADD COLUMN gate_batch INTEGER NOT NULL DEFAULT 0;

-- The entries of a rollout's policy.after that members said are met (PrerequisiteMet), one per line.
ALTER TABLE rollouts ADD COLUMN prerequisites_met TEXT;
