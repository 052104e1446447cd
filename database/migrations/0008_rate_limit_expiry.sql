-- Rate-limit rows carry when they stop mattering, so old windows can be pruned (nothing removed
-- them: one row per new (email, address) pair, forever). The index serves the pruning.
-- depends: 0007_one_reset_code

ALTER TABLE rate_limits ADD COLUMN expires_at timestamptz NOT NULL DEFAULT now() + interval '61 days';
CREATE INDEX rate_limits_expires_at_idx ON rate_limits (expires_at);
