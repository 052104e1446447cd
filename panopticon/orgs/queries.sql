-- name: LockOrg :one
-- Lock the organization's row (migration 0020's app_panopticon_lock_org): changes of its members
-- take turns with each other and with the product's. False when there is no such organization.
-- not-null: found
SELECT app_panopticon_lock_org(sqlc.arg(id)::text)::boolean AS found;

-- name: GetOrg :one
SELECT id, name, created_at FROM orgs WHERE id = sqlc.arg(id);

-- name: OrgMembers :many
SELECT m.id, m.user_id, u.email, u.display_name, u.disabled_at, m.role, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = sqlc.arg(org_id) ORDER BY m.created_at, m.id;

-- name: PendingInvites :many
SELECT id, email, role, invited_by, created_at, expires_at FROM invites
WHERE org_id = sqlc.arg(org_id) AND status = 'pending' ORDER BY created_at, id;

-- name: MembershipOf :one
SELECT id, role FROM memberships WHERE org_id = sqlc.arg(org_id) AND user_id = sqlc.arg(user_id);

-- name: RemoveMember :execrows
DELETE FROM memberships WHERE org_id = sqlc.arg(org_id) AND user_id = sqlc.arg(user_id);

-- name: CancelInvite :one
-- The cancelled invitation's email and role; none when it was not pending.
UPDATE invites SET status = 'cancelled'
WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id) AND status = 'pending'
RETURNING email, role;

-- name: MakeOwner :execrows
UPDATE memberships SET role = 'owner' WHERE org_id = sqlc.arg(org_id) AND user_id = sqlc.arg(user_id);

-- name: DemoteOtherOwners :many
-- Every other owner becomes an admin (after MakeOwner, so the organization is never ownerless);
-- their user ids.
UPDATE memberships SET role = 'admin'
WHERE org_id = sqlc.arg(org_id) AND role = 'owner' AND user_id <> sqlc.arg(user_id)
RETURNING user_id;

-- name: DeleteOrg :execrows
DELETE FROM orgs WHERE id = sqlc.arg(id);
