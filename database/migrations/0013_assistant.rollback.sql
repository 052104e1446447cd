-- Undo 0013_assistant.
DROP FUNCTION app_idempotency_complete(text, text, text, bytea);
DROP FUNCTION app_idempotency_claim(text, text, text, bytea);
DROP TABLE idempotency_keys;
DROP FUNCTION app_visitor_conversation(text, bytea);
DROP FUNCTION app_release_expired_handle(text, timestamptz);
DROP FUNCTION app_workspace_for_handle(text, timestamptz);
DROP TABLE chat_streams;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE connectors;
DROP TABLE services;
DROP TABLE workspace_handles;
DROP TABLE workspaces;
DROP TYPE message_role;
DROP TYPE conversation_status;
DROP TYPE conversation_channel;
DROP TYPE connector_kind;
DROP TYPE workspace_tone;
