-- Undo 0018_audit_log.
DROP FUNCTION app_audit_record(text, text, timestamptz, text, text, text, text, text, text, text, text, jsonb, jsonb);
DROP TABLE platform_audit_heads;
DROP TABLE platform_audit_log;
DROP TABLE audit_heads;
DROP TABLE audit_log;
DROP FUNCTION app_audit_hash(bytea, text, bigint, text, timestamptz, text, text, text, text, text, text, text, text,
                             jsonb, jsonb);
DROP FUNCTION app_audit_field(text);
