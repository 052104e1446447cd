-- name: KeyForToken :one
-- The unrevoked key (organization key or personal token) a bearer token names, before any tenant
-- context exists; `org_id`: the organization a personal token's call names, if any.
-- not-null: key_id, personal, user_id, scope
SELECT k.key_id::text AS key_id, k.personal::boolean AS personal, k.user_id::text AS user_id,
       k.org_id::text AS org_id, k.role::org_role AS role, k.scope::api_key_scope AS scope,
       k.expires_at::timestamptz AS expires_at, k.last_used_at::timestamptz AS last_used_at
FROM app_api_key_for_token(sqlc.arg(token_hash)::bytea, sqlc.narg(org_id)::text) k;

-- name: TouchKey :exec
-- Record the key's use (the function writes at most once a minute per key).
SELECT 1 FROM app_api_key_touch(sqlc.arg(key_id)::text, sqlc.narg(org_id)::text, sqlc.arg(now)::timestamptz);

-- name: InsertOrgKey :one
INSERT INTO api_keys (id, org_id, name, scope, token_hash, created_by, created_at, expires_at)
VALUES (sqlc.arg(id), sqlc.arg(org_id), sqlc.arg(name), sqlc.arg(scope), sqlc.arg(token_hash), sqlc.arg(created_by),
        sqlc.arg(now), sqlc.narg(expires_at))
RETURNING id, name, scope, created_by, created_at, expires_at, revoked_at, last_used_at;

-- name: ListOrgKeys :many
-- The organization's keys, newest first, revoked ones included (they show when they ended).
SELECT id, name, scope, created_by, created_at, expires_at, revoked_at, last_used_at FROM api_keys
WHERE org_id = sqlc.arg(org_id) ORDER BY created_at DESC, id DESC LIMIT sqlc.arg(max_rows);

-- name: CountLiveOrgKeys :one
-- not-null: live
SELECT count(*)::integer AS live FROM api_keys WHERE org_id = sqlc.arg(org_id) AND revoked_at IS NULL;

-- name: RevokeOrgKey :one
UPDATE api_keys SET revoked_at = coalesce(revoked_at, sqlc.arg(now))
WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id)
RETURNING id, name, scope, created_by, created_at, expires_at, revoked_at, last_used_at;

-- name: InsertPersonalToken :one
INSERT INTO personal_access_tokens (id, user_id, name, scope, token_hash, created_at, expires_at)
VALUES (sqlc.arg(id), sqlc.arg(user_id), sqlc.arg(name), sqlc.arg(scope), sqlc.arg(token_hash), sqlc.arg(now),
        sqlc.narg(expires_at))
RETURNING id, name, scope, created_at, expires_at, revoked_at, last_used_at;

-- name: ListPersonalTokens :many
SELECT id, name, scope, created_at, expires_at, revoked_at, last_used_at FROM personal_access_tokens
WHERE user_id = sqlc.arg(user_id) ORDER BY created_at DESC, id DESC LIMIT sqlc.arg(max_rows);

-- name: CountLivePersonalTokens :one
-- not-null: live
SELECT count(*)::integer AS live FROM personal_access_tokens WHERE user_id = sqlc.arg(user_id) AND revoked_at IS NULL;

-- name: RevokePersonalToken :one
UPDATE personal_access_tokens SET revoked_at = coalesce(revoked_at, sqlc.arg(now))
WHERE user_id = sqlc.arg(user_id) AND id = sqlc.arg(id)
RETURNING id, name, scope, created_at, expires_at, revoked_at, last_used_at;

-- name: LockUser :execrows
-- Lock the caller's own row: one user's token creations go one at a time, so a count holds.
SELECT 1 FROM users WHERE id = sqlc.arg(id) FOR NO KEY UPDATE;
