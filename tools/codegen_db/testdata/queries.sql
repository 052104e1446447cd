-- name: GetSink :one
-- One row, every column: reuses the table's Struct.
-- json: settings = tools.codegen_db.testdata.models:Settings
SELECT * FROM kitchen_sink WHERE id = sqlc.arg(id);

-- name: InsertSink :exec
-- json: settings = tools.codegen_db.testdata.models:Settings
INSERT INTO kitchen_sink (id, label, nickname, email, handle, small, count, big, ratio, amount, flag, happened_at,
                          day, pause, token, blob, feeling, old_feeling, tags, scores, settings, extra, legacy)
VALUES (sqlc.arg(id), sqlc.arg(label), sqlc.narg(nickname), sqlc.arg(email), sqlc.narg(handle), sqlc.arg(small),
        sqlc.arg(count), sqlc.narg(big), sqlc.narg(ratio), sqlc.arg(amount), sqlc.arg(flag), sqlc.arg(happened_at),
        sqlc.narg(day), sqlc.narg(pause), sqlc.narg(token), sqlc.narg(blob), sqlc.arg(feeling), sqlc.narg(old_feeling),
        sqlc.arg(tags), sqlc.narg(scores), sqlc.arg(settings), sqlc.narg(extra), sqlc.narg(legacy));

-- name: ListByFeeling :many
-- Rows in one mood, optionally only those with a tag; a per-query Struct.
SELECT id, label, feeling, tags, extra
FROM kitchen_sink
WHERE feeling = sqlc.arg(feeling) AND (sqlc.narg(tag)::text IS NULL OR sqlc.narg(tag)::text = ANY (tags))
ORDER BY id;

-- name: Summary :one
-- Aggregates and casts are nullable unless a directive vouches for them.
-- not-null: rows
-- json: by_label = dict[str, int]
SELECT count(*) AS rows,
       max(amount)::numeric AS top_amount,
       sum(count)::bigint AS total_count,
       jsonb_object_agg(label, count) AS by_label
FROM kitchen_sink;

-- name: RenameSinks :execrows
UPDATE kitchen_sink SET label = sqlc.arg(new_label) WHERE label = sqlc.arg(old_label);

-- name: Ping :exec
SELECT 1;
