-- name: GetUser :one
SELECT id, email, display_name, email_verified_at, disabled_at, created_at FROM users WHERE id = sqlc.arg(id);

-- name: LockUser :one
-- The user's row, locked until COMMIT: a disable and an enable of one account take turns.
SELECT id, email, display_name, email_verified_at, disabled_at, created_at FROM users WHERE id = sqlc.arg(id)
FOR NO KEY UPDATE;

-- name: UserOrgs :many
SELECT m.org_id, o.name, m.role, m.created_at FROM memberships m JOIN orgs o ON o.id = m.org_id
WHERE m.user_id = sqlc.arg(user_id) ORDER BY m.created_at, m.org_id;

-- name: ActiveSessions :many
-- The user's unexpired sessions, most recently used first.
SELECT id, active_org_id, user_agent, created_at, last_seen_at, expires_at FROM sessions
WHERE user_id = sqlc.arg(user_id) AND expires_at > sqlc.arg(now)
ORDER BY last_seen_at DESC, id;

-- name: RevokeSession :execrows
DELETE FROM sessions WHERE id = sqlc.arg(id) AND user_id = sqlc.arg(user_id);

-- name: RevokeAllSessions :execrows
DELETE FROM sessions WHERE user_id = sqlc.arg(user_id);

-- name: SetDisabled :exec
-- `disabled_at` NULL re-enables the account.
UPDATE users SET disabled_at = sqlc.narg(disabled_at) WHERE id = sqlc.arg(id);

-- name: EnqueueAccountMail :one
-- Queue one of the product's account mail jobs (password reset, email verification) for a user:
-- the only outbox rows panopticon may write, their payload built from the user's row.
-- not-null: queued
SELECT app_panopticon_enqueue_account_mail(sqlc.arg(kind), sqlc.arg(user_id), sqlc.arg(now)) AS queued;
