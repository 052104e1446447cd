-- Undo 0006_outbox.
DROP FUNCTION app_outbox_fail(text, integer, text, timestamptz);
DROP FUNCTION app_outbox_complete(text, integer, timestamptz);
DROP FUNCTION app_outbox_claim(timestamptz, timestamptz, integer);
DROP TABLE outbox;
DROP TYPE outbox_status;
