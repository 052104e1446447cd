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

-- name: SetUserEmailVerified :exec
-- Test factories: mark a user's email verified at a given time.
UPDATE users SET email_verified_at = sqlc.arg(verified_at) WHERE id = sqlc.arg(id);

-- name: CreateSession :one
-- Test factories: a session (a login) with a random token hash.
INSERT INTO sessions (id, user_id, token_hash, active_org_id, created_at, last_seen_at, expires_at)
VALUES (coalesce(sqlc.narg(id)::text, app_new_id('ses')), sqlc.arg(user_id), sqlc.arg(token_hash),
        sqlc.narg(active_org_id), sqlc.arg(created_at), sqlc.arg(last_seen_at), sqlc.arg(expires_at))
RETURNING id, user_id, active_org_id, created_at, last_seen_at, expires_at;

-- name: CreateInvite :one
-- Test factories: an invitation with a random token hash.
INSERT INTO invites (id, org_id, email, role, token_hash, invited_by, status, created_at, expires_at)
VALUES (coalesce(sqlc.narg(id)::text, app_new_id('inv')), sqlc.arg(org_id), sqlc.arg(email), sqlc.arg(role),
        sqlc.arg(token_hash), sqlc.narg(invited_by), sqlc.arg(status), sqlc.arg(created_at), sqlc.arg(expires_at))
RETURNING id, org_id, email, role, invited_by, status, created_at, expires_at;

-- name: IdempotencyClaim :one
-- Claim an idempotency key (foundation/rpc/idempotency.py): `claimed` when this call inserted
-- it; otherwise the first call's body hash and response. A concurrent claim waits for the first.
-- not-null: claimed, body_hash
SELECT c.claimed::boolean AS claimed, c.body_hash::bytea AS body_hash, c.response::bytea AS response
FROM app_idempotency_claim(sqlc.arg(scope), sqlc.arg(route), sqlc.arg(key), sqlc.arg(body_hash)::bytea) c;

-- name: IdempotencyComplete :one
-- Store the response of a key this transaction claimed.
-- not-null: completed
SELECT app_idempotency_complete(sqlc.arg(scope), sqlc.arg(route), sqlc.arg(key), sqlc.arg(response)::bytea)
    AS completed;

-- name: PruneIdempotencyKeys :one
-- Remove up to `max_rows` expired idempotency records (the outbox worker, now and then).
-- not-null: removed
SELECT app_idempotency_prune(sqlc.arg(max_rows)::integer) AS removed;
