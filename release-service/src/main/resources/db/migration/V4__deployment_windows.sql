-- Who let a rollout go on outside its deployment windows (WindowOverridden); its windows are in its policy.
ALTER TABLE rollouts ADD COLUMN window_overridden_by VARCHAR(4096);
