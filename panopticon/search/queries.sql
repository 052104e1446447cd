-- name: SearchUsers :many
-- Users whose email, display name or id starts with `query` (case-insensitive), newest first,
-- after the user id `cursor` if given. Each branch is a range on a text_pattern_ops index
-- (migration 0020): `~>=~ lo AND ~<~ lo || U+10FFFF` is the prefix, in byte order.
SELECT u.id, u.email, u.display_name, u.email_verified_at, u.disabled_at, u.created_at
FROM users u
WHERE u.id IN (
    SELECT e.id FROM users e
    WHERE lower(e.email) ~>=~ lower(sqlc.arg(query)::text) AND lower(e.email) ~<~ (lower(sqlc.arg(query)::text) || chr(1114111))
    UNION
    SELECT n.id FROM users n
    WHERE lower(n.display_name) ~>=~ lower(sqlc.arg(query)::text)
      AND lower(n.display_name) ~<~ (lower(sqlc.arg(query)::text) || chr(1114111))
    UNION
    SELECT i.id FROM users i
    WHERE i.id ~>=~ lower(sqlc.arg(query)::text) AND i.id ~<~ (lower(sqlc.arg(query)::text) || chr(1114111))
)
AND (sqlc.narg(cursor)::text IS NULL OR u.id < sqlc.narg(cursor)::text)
ORDER BY u.id DESC
LIMIT sqlc.arg(max_rows);

-- name: SearchOrgs :many
-- Organizations whose name or id starts with `query` (case-insensitive), newest first, after the
-- organization id `cursor` if given; each with its number of members.
-- not-null: members
SELECT o.id, o.name, o.created_at, (SELECT count(*) FROM memberships m WHERE m.org_id = o.id)::bigint AS members
FROM orgs o
WHERE o.id IN (
    SELECT n.id FROM orgs n
    WHERE lower(n.name) ~>=~ lower(sqlc.arg(query)::text) AND lower(n.name) ~<~ (lower(sqlc.arg(query)::text) || chr(1114111))
    UNION
    SELECT i.id FROM orgs i
    WHERE i.id ~>=~ lower(sqlc.arg(query)::text) AND i.id ~<~ (lower(sqlc.arg(query)::text) || chr(1114111))
)
AND (sqlc.narg(cursor)::text IS NULL OR o.id < sqlc.narg(cursor)::text)
ORDER BY o.id DESC
LIMIT sqlc.arg(max_rows);
