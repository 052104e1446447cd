-- name: EnqueueOutbox :exec
-- A side effect to deliver after the caller's transaction commits (the app role may only insert).
INSERT INTO outbox (kind, payload, available_at, created_at)
VALUES (sqlc.arg(kind), sqlc.arg(payload), sqlc.arg(now), sqlc.arg(now));

-- name: ClaimOutbox :many
-- Lease up to `max_rows` due rows until `locked_until` (one more attempt each).
-- not-null: id, kind, payload, attempts
SELECT c.id::text AS id, c.kind::text AS kind, c.payload::jsonb AS payload, c.attempts::integer AS attempts
FROM app_outbox_claim(sqlc.arg(now)::timestamptz, sqlc.arg(locked_until)::timestamptz, sqlc.arg(max_rows)::integer) c;

-- name: CompleteOutbox :one
-- Mark a claimed row delivered and clear its body; false when the claim was lost.
-- not-null: completed
SELECT app_outbox_complete(sqlc.arg(id)::text, sqlc.arg(attempts)::integer, sqlc.arg(now)::timestamptz) AS completed;

-- name: FailOutbox :one
-- Record a failed attempt: retry from `retry_at`, or give up when it is null.
-- not-null: recorded
SELECT app_outbox_fail(sqlc.arg(id)::text, sqlc.arg(attempts)::integer, sqlc.arg(error)::text,
                       sqlc.narg(retry_at)::timestamptz) AS recorded;

-- name: PruneOutbox :one
-- Remove up to `max_rows` finished (delivered or given-up) rows created before `before`.
-- not-null: removed
SELECT app_outbox_prune(sqlc.arg(before)::timestamptz, sqlc.arg(max_rows)::integer) AS removed;
