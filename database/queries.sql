-- name: CreateOrg :one
-- Insert an organization; id and created_at default to a fresh id and now().
INSERT INTO orgs (id, name, created_at)
VALUES (coalesce(sqlc.narg(id)::text, app_new_id('org')), sqlc.arg(name), coalesce(sqlc.narg(created_at)::timestamptz, now()))
RETURNING *;

-- name: GetOrg :one
SELECT * FROM orgs WHERE id = sqlc.arg(id);

-- name: CreateUser :one
INSERT INTO users (id, email, display_name, password_hash, created_at)
VALUES (coalesce(sqlc.narg(id)::text, app_new_id('usr')), sqlc.arg(email), sqlc.arg(display_name),
        sqlc.arg(password_hash), coalesce(sqlc.narg(created_at)::timestamptz, now()))
RETURNING id, email, display_name, created_at;

-- name: CreateMembership :one
INSERT INTO memberships (org_id, user_id, role, created_at)
VALUES (sqlc.arg(org_id), sqlc.arg(user_id), sqlc.arg(role), coalesce(sqlc.narg(created_at)::timestamptz, now()))
RETURNING *;

-- name: CreateOrgNote :one
INSERT INTO org_notes (id, org_id, author_id, body, created_at)
VALUES (coalesce(sqlc.narg(id)::text, app_new_id('note')), sqlc.arg(org_id), sqlc.narg(author_id), sqlc.arg(body),
        coalesce(sqlc.narg(created_at)::timestamptz, now()))
RETURNING *;

-- name: ListOrgNotes :many
-- The active organization's notes, oldest first (RLS limits them to the tenant context).
SELECT * FROM org_notes ORDER BY created_at, id LIMIT sqlc.arg(max_rows);

-- name: CountOrgNotes :one
-- not-null: notes
SELECT count(*) AS notes FROM org_notes;

-- name: DeleteOrgNote :execrows
DELETE FROM org_notes WHERE id = sqlc.arg(id);
