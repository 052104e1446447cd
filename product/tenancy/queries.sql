-- name: OrgDetail :one
-- One of the caller's organizations, with the caller's role there.
SELECT o.id, o.name, o.slug, o.created_at, m.role
FROM orgs o JOIN memberships m ON m.org_id = o.id AND m.user_id = sqlc.arg(user_id)
WHERE o.id = sqlc.arg(org_id);

-- name: UpdateOrg :one
-- `set_slug`: whether to change the slug (to `slug`, which may be null); a null name keeps it.
UPDATE orgs SET name = coalesce(sqlc.narg(name), name),
                slug = CASE WHEN sqlc.arg(set_slug)::boolean THEN sqlc.narg(slug) ELSE slug END
WHERE id = sqlc.arg(id)
RETURNING id;

-- name: MyOrgsPage :many
-- The caller's organizations in id order, after `after` (keyset pagination).
SELECT o.id, o.name, o.slug, o.created_at, m.role
FROM memberships m JOIN orgs o ON o.id = m.org_id
WHERE m.user_id = sqlc.arg(user_id) AND o.id > coalesce(sqlc.narg(after)::text, '')
ORDER BY o.id LIMIT sqlc.arg(max_rows);

-- name: MemberByUser :one
SELECT m.id, m.user_id, u.email, u.display_name, m.role, m.created_at, u.managed_by_org
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = sqlc.arg(org_id) AND m.user_id = sqlc.arg(user_id);

-- name: MembersPage :many
-- The organization's members in user id order, after `after` (keyset pagination).
SELECT m.id, m.user_id, u.email, u.display_name, m.role, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = sqlc.arg(org_id) AND m.user_id > coalesce(sqlc.narg(after)::text, '')
ORDER BY m.user_id LIMIT sqlc.arg(max_rows);

-- name: InsertManagedUser :one
-- An account without a password (its owner sets one by the reset flow), managed by the active
-- organization; nothing when the email is taken.
INSERT INTO users (id, email, display_name, password_hash, managed_by_org)
VALUES (sqlc.arg(id), lower(sqlc.arg(email)), sqlc.arg(display_name), '!', sqlc.arg(org_id))
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING id;

-- name: ManagedUser :one
-- An account the organization manages (a member or not), while its person has set no password:
-- once they have, the account is theirs.
SELECT id, email FROM users
WHERE id = sqlc.arg(id) AND managed_by_org = sqlc.arg(org_id) AND password_hash = '!';

-- name: UpdateManagedUser :execrows
-- Only while its person has set no password (the policy says the same).
UPDATE users SET email = coalesce(lower(sqlc.narg(email)), email),
                 display_name = coalesce(sqlc.narg(display_name), display_name)
WHERE id = sqlc.arg(id) AND managed_by_org = sqlc.arg(org_id) AND password_hash = '!';

-- name: DeleteMembershipOfUser :execrows
DELETE FROM memberships WHERE org_id = sqlc.arg(org_id) AND user_id = sqlc.arg(user_id);
