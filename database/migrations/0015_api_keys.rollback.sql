-- Undo 0015_api_keys.
DROP FUNCTION app_api_key_touch(text, text, timestamptz);
DROP FUNCTION app_api_key_for_token(bytea, text);
DROP TABLE personal_access_tokens;
DROP TABLE api_keys;
DROP TYPE api_key_scope;
DROP POLICY users_managed_update ON users;
DROP POLICY users_managed_read ON users;
DROP POLICY users_managed_insert ON users;
DROP INDEX users_managed_by_org_idx;
ALTER TABLE users DROP COLUMN managed_by_org;
ALTER TABLE orgs DROP COLUMN slug;
