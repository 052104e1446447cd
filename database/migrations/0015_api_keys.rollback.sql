-- Undo 0015_api_keys.
DROP FUNCTION app_api_key_touch(text, text, timestamptz);
DROP FUNCTION app_api_key_for_token(bytea, text);
DROP TABLE personal_access_tokens;
DROP TABLE api_keys;
DROP TYPE api_key_scope;
