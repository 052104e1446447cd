-- name: ImpersonationTarget :one
-- The user an impersonation would act as (id and email), whether the email is an administrator's,
-- and whether the user is disabled.
-- not-null: user_id, email, is_admin, disabled
SELECT t.user_id::text AS user_id, t.email::text AS email, t.is_admin::boolean AS is_admin,
       t.disabled::boolean AS disabled
FROM app_impersonation_target(sqlc.arg(user_id)::text) t;

-- name: CloseExpiredImpersonations :execrows
-- A user's impersonations past their end, closed as of that end (so a new one may start).
UPDATE impersonations SET ended_at = expires_at
WHERE user_id = sqlc.arg(user_id) AND ended_at IS NULL AND expires_at <= sqlc.arg(now);

-- name: InsertImpersonation :one
-- A new impersonation; nothing when the user already has an open one (one at a time).
INSERT INTO impersonations (id, admin_id, user_id, reason, writes, code_hash, code_expires_at, created_at, expires_at)
VALUES (sqlc.arg(id), sqlc.arg(admin_id), sqlc.arg(user_id), sqlc.arg(reason), sqlc.arg(writes), sqlc.arg(code_hash),
        sqlc.arg(code_expires_at), sqlc.arg(now), sqlc.arg(expires_at))
ON CONFLICT (user_id) WHERE ended_at IS NULL DO NOTHING
RETURNING id;

-- name: EndImpersonation :one
-- End an open, unexpired impersonation now; nothing when it is unknown or already over.
UPDATE impersonations SET ended_at = sqlc.arg(now)
WHERE id = sqlc.arg(id) AND ended_at IS NULL AND expires_at > sqlc.arg(now)
RETURNING id, admin_id, user_id;

-- name: EndImpersonationSessions :one
-- Delete the product session(s) an impersonation opened.
-- not-null: ended
SELECT app_impersonation_end_sessions(sqlc.arg(id)::text)::integer AS ended;

-- name: ListActiveImpersonations :many
-- Open impersonations, newest first.
SELECT i.id, i.admin_id, a.email AS admin_email, i.user_id, i.reason, i.writes, i.created_at, i.expires_at,
       i.redeemed_at
FROM impersonations i JOIN admins a ON a.id = i.admin_id
WHERE i.ended_at IS NULL AND i.expires_at > sqlc.arg(now)
ORDER BY i.created_at DESC, i.id
LIMIT sqlc.arg(max_rows);
