-- name: ListConversations :many
-- Newest first, keyset-paginated: `after` is the id of the last conversation of the page before.
-- not-null: message_count
SELECT c.id, c.channel, c.status, c.tags, c.created_at, c.closed_at,
       (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)::integer AS message_count
FROM conversations c
WHERE c.workspace_id = sqlc.arg(workspace_id)
  AND (sqlc.narg(channel)::conversation_channel IS NULL OR c.channel = sqlc.narg(channel)::conversation_channel)
  AND (sqlc.narg(tag)::text IS NULL OR sqlc.narg(tag)::text = ANY (c.tags))
  AND (sqlc.narg(since)::timestamptz IS NULL OR c.created_at >= sqlc.narg(since)::timestamptz)
  AND (sqlc.narg(until)::timestamptz IS NULL OR c.created_at < sqlc.narg(until)::timestamptz)
  AND (sqlc.narg(after)::text IS NULL
       OR (c.created_at, c.id) < (SELECT a.created_at, a.id FROM conversations a WHERE a.id = sqlc.narg(after)::text))
ORDER BY c.created_at DESC, c.id DESC
LIMIT sqlc.arg(max_rows);

-- name: GetConversation :one
SELECT id, channel, status, tags, created_at, closed_at FROM conversations
WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- name: ListMessages :many
-- The conversation's newest messages, at most `max_rows`, oldest first.
SELECT newest.id, newest.role, newest.content, newest.tool_calls, newest.created_at FROM (
    SELECT id, role, content, tool_calls, created_at FROM messages
    WHERE conversation_id = sqlc.arg(conversation_id) ORDER BY created_at DESC, id DESC LIMIT sqlc.arg(max_rows)
) newest ORDER BY newest.created_at, newest.id;

-- name: SetTags :one
UPDATE conversations SET tags = sqlc.arg(tags)
WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id)
RETURNING id, channel, status, tags, created_at, closed_at;

-- name: CloseConversation :one
UPDATE conversations SET status = 'closed', closed_at = coalesce(closed_at, sqlc.arg(now))
WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id)
RETURNING id, channel, status, tags, created_at, closed_at;

-- name: ConversationsPerDay :many
-- Days in the workspace's time zone, from `since` on.
-- not-null: day, conversations
SELECT (c.created_at AT TIME ZONE sqlc.arg(timezone)::text)::date AS day, count(*)::integer AS conversations
FROM conversations c
WHERE c.workspace_id = sqlc.arg(workspace_id) AND c.created_at >= sqlc.arg(since)
GROUP BY 1 ORDER BY 1;

-- name: MessageCounts :one
-- not-null: visitor, assistant
SELECT count(*) FILTER (WHERE m.role = 'visitor')::integer AS visitor,
       count(*) FILTER (WHERE m.role = 'assistant')::integer AS assistant
FROM messages m JOIN conversations c ON c.id = m.conversation_id
WHERE c.workspace_id = sqlc.arg(workspace_id) AND m.created_at >= sqlc.arg(since);
