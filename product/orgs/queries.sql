-- name: InsertOrg :one
INSERT INTO orgs (id, name, slug) VALUES (sqlc.arg(id), sqlc.arg(name), sqlc.narg(slug)) RETURNING *;

-- name: InsertMembership :one
INSERT INTO memberships (org_id, user_id, role) VALUES (sqlc.arg(org_id), sqlc.arg(user_id), sqlc.arg(role))
RETURNING *;

-- name: RenameOrg :one
UPDATE orgs SET name = sqlc.arg(name) WHERE id = sqlc.arg(id) RETURNING *;

-- name: DeleteOrg :execrows
DELETE FROM orgs WHERE id = sqlc.arg(id);

-- name: ListMembers :many
SELECT m.id, m.user_id, u.email, u.display_name, m.role, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = sqlc.arg(org_id) ORDER BY m.created_at, m.id;

-- name: GetMembership :one
SELECT * FROM memberships WHERE id = sqlc.arg(id) AND org_id = sqlc.arg(org_id);

-- name: MembershipOf :one
SELECT * FROM memberships WHERE org_id = sqlc.arg(org_id) AND user_id = sqlc.arg(user_id);

-- name: SetMemberRole :execrows
UPDATE memberships SET role = sqlc.arg(role) WHERE id = sqlc.arg(id) AND org_id = sqlc.arg(org_id);

-- name: DeleteMembership :execrows
DELETE FROM memberships WHERE id = sqlc.arg(id) AND org_id = sqlc.arg(org_id);

-- name: InsertInvite :one
INSERT INTO invites (org_id, email, role, token_hash, invited_by, created_at, expires_at)
VALUES (sqlc.arg(org_id), lower(sqlc.arg(email)), sqlc.arg(role), sqlc.arg(token_hash), sqlc.arg(invited_by),
        sqlc.arg(now), sqlc.arg(expires_at))
RETURNING id, email, role, status, created_at, expires_at;

-- name: ListInvites :many
SELECT id, email, role, status, created_at, expires_at FROM invites
WHERE org_id = sqlc.arg(org_id) AND status = 'pending' ORDER BY created_at, id;

-- name: CancelInvite :execrows
UPDATE invites SET status = 'cancelled' WHERE id = sqlc.arg(id) AND org_id = sqlc.arg(org_id) AND status = 'pending';

-- name: InviteForToken :one
-- not-null: invite_id, org_id, email, role, status, expires_at
SELECT i.invite_id::text AS invite_id, i.org_id::text AS org_id, i.email::text AS email, i.role::org_role AS role,
       i.status::invite_status AS status, i.expires_at::timestamptz AS expires_at
FROM app_invite_for_token(sqlc.arg(token_hash)::bytea) i;

-- name: SetInviteStatus :execrows
UPDATE invites SET status = sqlc.arg(status) WHERE id = sqlc.arg(id) AND status = 'pending';

-- name: GetOrgName :one
SELECT id, name FROM orgs WHERE id = sqlc.arg(id);

-- name: LockOrg :execrows
-- Lock the organization's row: every change of its members and roles waits for the one before to
-- commit, so what the next statement reads (a role, the owners) is what holds now.
SELECT 1 FROM orgs WHERE id = sqlc.arg(id) FOR NO KEY UPDATE;
