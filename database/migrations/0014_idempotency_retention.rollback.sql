-- Undo 0014_idempotency_retention.
DROP FUNCTION app_idempotency_prune(integer);
