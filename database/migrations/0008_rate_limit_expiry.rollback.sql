-- Undo 0008_rate_limit_expiry.
DROP INDEX rate_limits_expires_at_idx;
ALTER TABLE rate_limits DROP COLUMN expires_at;
