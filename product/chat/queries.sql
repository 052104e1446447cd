-- name: InsertConversation :one
INSERT INTO conversations (org_id, workspace_id, channel, visitor_token_hash, created_at)
VALUES (sqlc.arg(org_id), sqlc.arg(workspace_id), sqlc.arg(channel), sqlc.arg(token_hash), sqlc.arg(now))
RETURNING id, created_at;

-- name: VisitorConversation :one
-- The conversation this token opens (its hash must match), with its organization.
-- not-null: conversation_id, org_id, workspace_id, status
SELECT v.conversation_id::text AS conversation_id, v.org_id::text AS org_id, v.workspace_id::text AS workspace_id,
       v.status::conversation_status AS status
FROM app_visitor_conversation(sqlc.arg(conversation_id), sqlc.arg(token_hash)::bytea) v;

-- name: InsertVisitorMessage :one
-- A visitor's message, only while the conversation is open (the share lock makes a concurrent
-- close wait for this insert, or this insert see the close).
WITH open AS (
    SELECT c.id, c.org_id FROM conversations c WHERE c.id = sqlc.arg(conversation_id) AND c.status = 'open' FOR SHARE
)
INSERT INTO messages (org_id, conversation_id, role, content, created_at)
SELECT open.org_id, open.id, 'visitor', sqlc.arg(content), sqlc.arg(now) FROM open
RETURNING id, role, content, tool_calls, created_at;

-- name: InsertAssistantMessage :one
INSERT INTO messages (org_id, conversation_id, role, content, tool_calls, created_at)
VALUES (sqlc.arg(org_id), sqlc.arg(conversation_id), 'assistant', sqlc.arg(content), sqlc.arg(tool_calls),
        sqlc.arg(now))
RETURNING id, role, content, tool_calls, created_at;

-- name: MessagesSince :many
-- The conversation's messages after the message `after` (all of them without it), oldest first.
SELECT m.id, m.role, m.content, m.tool_calls, m.created_at FROM messages m
WHERE m.conversation_id = sqlc.arg(conversation_id)
  AND (sqlc.narg(after)::text IS NULL
       OR (m.created_at, m.id) > (SELECT a.created_at, a.id FROM messages a
                                  WHERE a.id = sqlc.narg(after)::text AND a.conversation_id = m.conversation_id))
ORDER BY m.created_at, m.id
LIMIT sqlc.arg(max_rows);

-- name: RecentMessages :many
-- The conversation's last messages, newest first (the model's context).
SELECT id, role, content, tool_calls, created_at FROM messages
WHERE conversation_id = sqlc.arg(conversation_id) ORDER BY created_at DESC, id DESC LIMIT sqlc.arg(max_rows);

-- name: LiveStreams :one
-- Reply streams in flight for the workspace (call under the workspace's row lock).
-- not-null: live
SELECT count(*)::integer AS live FROM chat_streams
WHERE workspace_id = sqlc.arg(workspace_id) AND expires_at > sqlc.arg(now);

-- name: InsertStream :one
INSERT INTO chat_streams (org_id, workspace_id, conversation_id, started_at, expires_at)
VALUES (sqlc.arg(org_id), sqlc.arg(workspace_id), sqlc.arg(conversation_id), sqlc.arg(now), sqlc.arg(expires_at))
RETURNING id;

-- name: DeleteStream :execrows
DELETE FROM chat_streams WHERE id = sqlc.arg(id);

-- name: PruneStreams :execrows
DELETE FROM chat_streams WHERE workspace_id = sqlc.arg(workspace_id) AND expires_at <= sqlc.arg(now);
