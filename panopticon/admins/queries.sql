-- name: InsertAdmin :one
-- A new administrator, invited (no password yet); nothing when the email is taken.
INSERT INTO admins (id, email, role, created_at)
VALUES (sqlc.arg(id), lower(sqlc.arg(email)), sqlc.arg(role), sqlc.arg(now))
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING id, email, role, enrolment_state, created_at;

-- name: InsertEnrolmentToken :exec
INSERT INTO admin_enrolment_tokens (id, admin_id, token_hash, created_at, expires_at)
VALUES (sqlc.arg(id), sqlc.arg(admin_id), sqlc.arg(token_hash), sqlc.arg(now), sqlc.arg(expires_at));

-- name: DeleteOpenEnrolmentTokens :execrows
-- A newer code replaces the administrator's unused ones.
DELETE FROM admin_enrolment_tokens WHERE admin_id = sqlc.arg(admin_id) AND used_at IS NULL;

-- name: EnrolmentForToken :one
-- The administrator an unused, unexpired enrolment code names (locked: one enrolment at a time).
SELECT t.id AS token_id, a.id AS admin_id, a.email, a.enrolment_state, a.disabled_at
FROM admin_enrolment_tokens t JOIN admins a ON a.id = t.admin_id
WHERE t.token_hash = sqlc.arg(token_hash) AND t.used_at IS NULL AND t.expires_at > sqlc.arg(now)
FOR UPDATE OF t, a;

-- name: UseEnrolmentToken :execrows
UPDATE admin_enrolment_tokens SET used_at = sqlc.arg(now) WHERE id = sqlc.arg(id) AND used_at IS NULL;

-- name: SetPendingTotp :exec
-- Enrolment's first step: the password and a new TOTP secret, awaiting the first code.
UPDATE admins SET password_hash = sqlc.arg(password_hash), totp_secret_encrypted = sqlc.arg(totp_secret_encrypted),
    totp_last_step = NULL, enrolment_state = 'pending_totp'
WHERE id = sqlc.arg(id);

-- name: GetTotpState :one
SELECT id, totp_secret_encrypted, totp_last_step, enrolment_state FROM admins WHERE id = sqlc.arg(id);

-- name: ActivateAdmin :execrows
UPDATE admins SET enrolment_state = 'active', enrolled_at = sqlc.arg(now), totp_last_step = sqlc.arg(step)
WHERE id = sqlc.arg(id) AND enrolment_state = 'pending_totp';

-- name: DeleteRecoveryCodes :exec
DELETE FROM admin_recovery_codes WHERE admin_id = sqlc.arg(admin_id);

-- name: InsertRecoveryCode :exec
INSERT INTO admin_recovery_codes (id, admin_id, code_hash, created_at)
VALUES (sqlc.arg(id), sqlc.arg(admin_id), sqlc.arg(code_hash), sqlc.arg(now));

-- name: UseRecoveryCode :execrows
-- Consume one unused recovery code (a second use of the same code changes no row).
UPDATE admin_recovery_codes SET used_at = sqlc.arg(now)
WHERE admin_id = sqlc.arg(admin_id) AND code_hash = sqlc.arg(code_hash) AND used_at IS NULL;

-- name: LoginLookup :one
-- What login checks: an enrolled, enabled administrator by email (nothing otherwise).
SELECT id, password_hash, totp_secret_encrypted, totp_last_step, role FROM admins
WHERE lower(email) = lower(sqlc.arg(email)) AND enrolment_state = 'active' AND disabled_at IS NULL;

-- name: AcceptTotpStep :execrows
-- Record a TOTP time step as used; no row when it (or a later one) was used before: a replay.
UPDATE admins SET totp_last_step = sqlc.arg(step)
WHERE id = sqlc.arg(id) AND (totp_last_step IS NULL OR totp_last_step < sqlc.arg(step));

-- name: SetPasswordHash :exec
UPDATE admins SET password_hash = sqlc.arg(password_hash) WHERE id = sqlc.arg(id);

-- name: InsertSession :exec
INSERT INTO admin_sessions (id, admin_id, token_hash, user_agent, created_at, last_seen_at, expires_at)
VALUES (sqlc.arg(id), sqlc.arg(admin_id), sqlc.arg(token_hash), sqlc.arg(user_agent), sqlc.arg(now), sqlc.arg(now),
        sqlc.arg(expires_at));

-- name: SessionForToken :one
-- The session a cookie names, with its administrator's current role; none once they are disabled.
SELECT s.id AS session_id, s.admin_id, a.role, s.last_seen_at, s.expires_at
FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
WHERE s.token_hash = sqlc.arg(token_hash) AND a.disabled_at IS NULL AND a.enrolment_state = 'active';

-- name: TouchSession :exec
UPDATE admin_sessions SET last_seen_at = sqlc.arg(now) WHERE id = sqlc.arg(id);

-- name: DeleteSession :execrows
DELETE FROM admin_sessions WHERE id = sqlc.arg(id);

-- name: DeleteAdminSessions :execrows
DELETE FROM admin_sessions WHERE admin_id = sqlc.arg(admin_id);

-- name: PruneSessions :execrows
-- Remove up to `max_rows` sessions past their absolute lifetime.
DELETE FROM admin_sessions WHERE id IN (
    SELECT s.id FROM admin_sessions s WHERE s.expires_at < sqlc.arg(now)::timestamptz ORDER BY s.expires_at
    LIMIT sqlc.arg(max_rows)
);

-- name: GetAdmin :one
SELECT id, email, role, enrolment_state, enrolled_at, disabled_at, created_at FROM admins WHERE id = sqlc.arg(id);

-- name: ListAdmins :many
-- Every administrator, by email (there are few).
SELECT id, email, role, enrolment_state, enrolled_at, disabled_at, created_at FROM admins
ORDER BY lower(email), id LIMIT sqlc.arg(max_rows);

-- name: SetRole :one
UPDATE admins SET role = sqlc.arg(role) WHERE id = sqlc.arg(id)
RETURNING id, email, role, enrolment_state, enrolled_at, disabled_at, created_at;

-- name: DisableAdmin :one
UPDATE admins SET disabled_at = coalesce(disabled_at, sqlc.arg(now)) WHERE id = sqlc.arg(id)
RETURNING id, email, role, enrolment_state, enrolled_at, disabled_at, created_at;

-- name: HitRateLimit :one
-- Count one hit in a fixed window; returns the hits so far.
INSERT INTO admin_rate_limits (id, bucket, window_start, expires_at)
VALUES (sqlc.arg(id), sqlc.arg(bucket), sqlc.arg(window_start), sqlc.arg(expires_at))
ON CONFLICT (bucket, window_start) DO UPDATE SET hits = admin_rate_limits.hits + 1
RETURNING hits;

-- name: PruneRateLimits :execrows
DELETE FROM admin_rate_limits WHERE id IN (
    SELECT r.id FROM admin_rate_limits r WHERE r.expires_at < sqlc.arg(now)::timestamptz ORDER BY r.expires_at
    LIMIT sqlc.arg(max_rows)
);

-- name: RateLimitSeen :one
-- not-null: seen
SELECT EXISTS (
    SELECT 1 FROM admin_rate_limits WHERE bucket = sqlc.arg(bucket) AND window_start >= sqlc.arg(since)
) AS seen;

-- name: ResetRateLimit :exec
DELETE FROM admin_rate_limits WHERE bucket = sqlc.arg(bucket);
