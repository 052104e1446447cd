-- Undo 0010_outbox_retention.
DROP FUNCTION app_outbox_prune(timestamptz, integer);
DROP INDEX outbox_finished_idx;
