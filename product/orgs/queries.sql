-- name: InsertOrg :one
INSERT INTO orgs (id, name, slug) VALUES (sqlc.arg(id), sqlc.arg(name), sqlc.narg(slug)) RETURNING *;

-- name: InsertMembership :one
INSERT INTO memberships (org_id, user_id, role) VALUES (sqlc.arg(org_id), sqlc.arg(user_id), sqlc.arg(role))
RETURNING *;

-- name: RenameOrg :one
-- The renamed organization, with its name before (for the audit log).
UPDATE orgs o SET name = sqlc.arg(name) FROM orgs old
WHERE o.id = sqlc.arg(id) AND old.id = o.id
RETURNING o.id, o.name, old.name AS old_name;

-- name: DeleteOrg :one
-- The deleted organization's name (for the audit log); none when it was already gone.
DELETE FROM orgs WHERE id = sqlc.arg(id) RETURNING name;

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

-- name: ListOrgAudit :many
-- The organization's audit log, newest first, before seq `before_seq` (a page's cursor) if given.
SELECT seq, id, at, actor_user_id, actor_admin_id, acting_as_user_id, action, target, reason, request_id,
       client_address, before, after
FROM audit_log
WHERE org_id = sqlc.arg(org_id) AND (sqlc.narg(before_seq)::bigint IS NULL OR seq < sqlc.narg(before_seq)::bigint)
ORDER BY seq DESC LIMIT sqlc.arg(max_rows);
