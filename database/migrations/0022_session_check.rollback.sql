-- Undo 0022_session_check.
DROP FUNCTION app_session_unchanged(bytea, text, text, text, org_role, timestamptz, timestamptz);
