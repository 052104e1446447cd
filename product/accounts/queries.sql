-- name: LoginLookup :one
-- The password hash for an email, before any tenant context exists.
-- not-null: user_id, password_hash
SELECT l.user_id::text AS user_id, l.password_hash::text AS password_hash FROM app_login_lookup(sqlc.arg(email)::text) l;

-- name: UserIdForEmail :one
SELECT app_user_id_for_email(sqlc.arg(email)::text)::text AS user_id;

-- name: InsertUser :one
-- A new user; nothing when the email is taken (the caller must not reveal which).
INSERT INTO users (id, email, display_name, password_hash)
VALUES (sqlc.arg(id), lower(sqlc.arg(email)), sqlc.arg(display_name), sqlc.arg(password_hash))
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING id;

-- name: GetUser :one
SELECT id, email, display_name, email_verified_at, created_at FROM users WHERE id = sqlc.arg(id);

-- name: SetPasswordHash :exec
UPDATE users SET password_hash = sqlc.arg(password_hash) WHERE id = sqlc.arg(id);

-- name: GetPasswordHash :one
SELECT password_hash FROM users WHERE id = sqlc.arg(id);

-- name: MarkEmailVerified :exec
UPDATE users SET email_verified_at = sqlc.arg(verified_at) WHERE id = sqlc.arg(id) AND email_verified_at IS NULL;

-- name: InsertSession :exec
INSERT INTO sessions (id, user_id, token_hash, active_org_id, user_agent, created_at, last_seen_at, expires_at)
VALUES (sqlc.arg(id), sqlc.arg(user_id), sqlc.arg(token_hash), sqlc.narg(active_org_id), sqlc.arg(user_agent),
        sqlc.arg(now), sqlc.arg(now), sqlc.arg(expires_at));

-- name: SessionForToken :one
-- The session a cookie names, with the role in its active organization (before any context).
-- An impersonation's session also names it, its administrator, and whether it is read-only.
-- not-null: session_id, user_id, last_seen_at, expires_at, read_only
SELECT s.session_id::text AS session_id, s.user_id::text AS user_id, s.active_org_id::text AS active_org_id,
       s.role::org_role AS role, s.last_seen_at::timestamptz AS last_seen_at, s.expires_at::timestamptz AS expires_at,
       s.impersonation_id::text AS impersonation_id, s.impersonated_by::text AS impersonated_by,
       s.read_only::boolean AS read_only
FROM app_session_for_token(sqlc.arg(token_hash)::bytea) s;

-- name: TouchSession :exec
SELECT 1 FROM app_session_touch(sqlc.arg(session_id)::text, sqlc.arg(now)::timestamptz);

-- name: ListSessions :many
SELECT id, user_agent, created_at, last_seen_at, expires_at, impersonator_email, read_only FROM sessions
WHERE user_id = sqlc.arg(user_id) ORDER BY created_at DESC, id;

-- name: DeleteSession :execrows
DELETE FROM sessions WHERE id = sqlc.arg(id) AND user_id = sqlc.arg(user_id);

-- name: DeleteOtherSessions :execrows
DELETE FROM sessions WHERE user_id = sqlc.arg(user_id) AND id <> sqlc.arg(keep_id);

-- name: DeleteAllSessions :execrows
DELETE FROM sessions WHERE user_id = sqlc.arg(user_id);

-- name: SetSessionOrg :execrows
UPDATE sessions SET active_org_id = sqlc.narg(org_id) WHERE id = sqlc.arg(id);

-- name: RotateSessionToken :exec
UPDATE sessions SET token_hash = sqlc.arg(token_hash) WHERE id = sqlc.arg(id);

-- name: InsertUserToken :exec
INSERT INTO user_tokens (user_id, purpose, token_hash, created_at, expires_at)
VALUES (sqlc.arg(user_id), sqlc.arg(purpose), sqlc.arg(token_hash), sqlc.arg(now), sqlc.arg(expires_at));

-- name: DeleteOpenUserTokens :execrows
-- Invalidate a user's unused codes of one purpose (a newer code, or a new password, replaces them).
DELETE FROM user_tokens
WHERE user_id = sqlc.arg(user_id) AND purpose = sqlc.arg(purpose) AND used_at IS NULL;

-- name: UserTokenForHash :one
-- not-null: token_id, user_id, expires_at
SELECT t.token_id::text AS token_id, t.user_id::text AS user_id, t.expires_at::timestamptz AS expires_at,
       t.used_at::timestamptz AS used_at
FROM app_user_token(sqlc.arg(token_hash)::bytea, sqlc.arg(purpose)::token_purpose) t;

-- name: UseUserToken :execrows
UPDATE user_tokens SET used_at = sqlc.arg(now) WHERE id = sqlc.arg(id) AND used_at IS NULL;

-- name: HitRateLimit :one
-- Count one hit in a fixed window; returns the hits so far.
INSERT INTO rate_limits (bucket, window_start, expires_at)
VALUES (sqlc.arg(bucket), sqlc.arg(window_start), sqlc.arg(expires_at))
ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
RETURNING hits;

-- name: PruneRateLimits :execrows
-- Remove up to `max_rows` windows that no longer matter.
DELETE FROM rate_limits WHERE id IN (
    SELECT r.id FROM rate_limits r WHERE r.expires_at < sqlc.arg(now)::timestamptz ORDER BY r.expires_at
    LIMIT sqlc.arg(max_rows)
);

-- name: RateLimitSeen :one
-- Whether the bucket was hit in a window that started at or after `since`.
-- not-null: seen
SELECT EXISTS (SELECT 1 FROM rate_limits WHERE bucket = sqlc.arg(bucket) AND window_start >= sqlc.arg(since)) AS seen;

-- name: ResetRateLimit :exec
DELETE FROM rate_limits WHERE bucket = sqlc.arg(bucket);

-- name: MyOrgs :many
-- The caller's organizations and role in each.
SELECT o.id, o.name, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id
WHERE m.user_id = sqlc.arg(user_id) ORDER BY o.name, o.id;

-- name: RedeemImpersonation :one
-- Use an impersonation's one-time code (before any tenant context): nothing when it is unknown,
-- used, expired, or its impersonation ended.
-- not-null: impersonation_id, user_id, admin_id, admin_email, writes, expires_at
SELECT r.impersonation_id::text AS impersonation_id, r.user_id::text AS user_id, r.admin_id::text AS admin_id,
       r.admin_email::text AS admin_email, r.writes::boolean AS writes, r.expires_at::timestamptz AS expires_at
FROM app_impersonation_redeem(sqlc.arg(code_hash)::bytea, sqlc.arg(now)::timestamptz) r;

-- name: InsertImpersonatedSession :exec
INSERT INTO sessions (id, user_id, token_hash, active_org_id, user_agent, created_at, last_seen_at, expires_at,
                      impersonation_id, impersonated_by, impersonator_email, read_only)
VALUES (sqlc.arg(id), sqlc.arg(user_id), sqlc.arg(token_hash), sqlc.narg(active_org_id), sqlc.arg(user_agent),
        sqlc.arg(now), sqlc.arg(now), sqlc.arg(expires_at), sqlc.arg(impersonation_id), sqlc.arg(impersonated_by),
        sqlc.arg(impersonator_email), sqlc.arg(read_only));

-- name: SessionImpersonation :one
-- Whether this session is an impersonation, and by whom (for the frontend's banner).
SELECT impersonation_id, impersonated_by, impersonator_email, read_only, expires_at FROM sessions
WHERE id = sqlc.arg(id) AND impersonation_id IS NOT NULL;
