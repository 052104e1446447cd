-- name: ListAudit :many
-- Every chain's entries (organizations', accounts', administrators'), newest first (ids are
-- time-ordered), filtered by actor (a user or administrator id, acting or acted as), target,
-- action and time range [since, until), before the entry id `cursor` if given.
SELECT e.chain, e.seq, e.id, e.at, e.actor_user_id, e.actor_admin_id, e.acting_as_user_id, e.action, e.target,
       e.reason, e.request_id, e.client_address, e.before, e.after
FROM (
    (SELECT a.org_id AS chain, a.seq, a.id, a.at, a.actor_user_id, a.actor_admin_id, a.acting_as_user_id, a.action,
            a.target, a.reason, a.request_id, a.client_address, a.before, a.after
     FROM audit_log a
     WHERE (sqlc.narg(cursor)::text IS NULL OR a.id < sqlc.narg(cursor)::text)
       AND (sqlc.narg(actor)::text IS NULL
            OR sqlc.narg(actor)::text IN (a.actor_user_id, a.actor_admin_id, a.acting_as_user_id))
       AND (sqlc.narg(target)::text IS NULL OR a.target = sqlc.narg(target)::text)
       AND (sqlc.narg(action)::text IS NULL OR a.action = sqlc.narg(action)::text)
       AND (sqlc.narg(since)::timestamptz IS NULL OR a.at >= sqlc.narg(since)::timestamptz)
       AND (sqlc.narg(until)::timestamptz IS NULL OR a.at < sqlc.narg(until)::timestamptz)
     ORDER BY a.id DESC LIMIT sqlc.arg(max_rows))
    UNION ALL
    (SELECT p.chain, p.seq, p.id, p.at, p.actor_user_id, p.actor_admin_id, p.acting_as_user_id, p.action,
            p.target, p.reason, p.request_id, p.client_address, p.before, p.after
     FROM platform_audit_log p
     WHERE (sqlc.narg(cursor)::text IS NULL OR p.id < sqlc.narg(cursor)::text)
       AND (sqlc.narg(actor)::text IS NULL
            OR sqlc.narg(actor)::text IN (p.actor_user_id, p.actor_admin_id, p.acting_as_user_id))
       AND (sqlc.narg(target)::text IS NULL OR p.target = sqlc.narg(target)::text)
       AND (sqlc.narg(action)::text IS NULL OR p.action = sqlc.narg(action)::text)
       AND (sqlc.narg(since)::timestamptz IS NULL OR p.at >= sqlc.narg(since)::timestamptz)
       AND (sqlc.narg(until)::timestamptz IS NULL OR p.at < sqlc.narg(until)::timestamptz)
     ORDER BY p.id DESC LIMIT sqlc.arg(max_rows))
) e
ORDER BY e.id DESC
LIMIT sqlc.arg(max_rows);

-- name: EntriesAbout :many
-- The newest entries naming `subject` (a user or organization id) as target, actor or the user
-- an administrator acted as, in every chain: a user's or an organization's page.
SELECT e.chain, e.seq, e.id, e.at, e.actor_user_id, e.actor_admin_id, e.acting_as_user_id, e.action, e.target,
       e.reason, e.request_id, e.client_address, e.before, e.after
FROM (
    (SELECT a.org_id AS chain, a.seq, a.id, a.at, a.actor_user_id, a.actor_admin_id, a.acting_as_user_id, a.action,
            a.target, a.reason, a.request_id, a.client_address, a.before, a.after
     FROM audit_log a WHERE a.target = sqlc.arg(subject)::text ORDER BY a.id DESC LIMIT sqlc.arg(max_rows))
    UNION ALL
    (SELECT a.org_id AS chain, a.seq, a.id, a.at, a.actor_user_id, a.actor_admin_id, a.acting_as_user_id, a.action,
            a.target, a.reason, a.request_id, a.client_address, a.before, a.after
     FROM audit_log a WHERE a.actor_user_id = sqlc.arg(subject)::text AND a.target IS DISTINCT FROM sqlc.arg(subject)::text
     ORDER BY a.id DESC LIMIT sqlc.arg(max_rows))
    UNION ALL
    (SELECT a.org_id AS chain, a.seq, a.id, a.at, a.actor_user_id, a.actor_admin_id, a.acting_as_user_id, a.action,
            a.target, a.reason, a.request_id, a.client_address, a.before, a.after
     FROM audit_log a
     WHERE a.org_id = sqlc.arg(subject)::text AND a.target IS DISTINCT FROM sqlc.arg(subject)::text
       AND a.actor_user_id IS DISTINCT FROM sqlc.arg(subject)::text
     ORDER BY a.seq DESC LIMIT sqlc.arg(max_rows))
    UNION ALL
    (SELECT p.chain, p.seq, p.id, p.at, p.actor_user_id, p.actor_admin_id, p.acting_as_user_id, p.action,
            p.target, p.reason, p.request_id, p.client_address, p.before, p.after
     FROM platform_audit_log p WHERE p.target = sqlc.arg(subject)::text ORDER BY p.id DESC LIMIT sqlc.arg(max_rows))
    UNION ALL
    (SELECT p.chain, p.seq, p.id, p.at, p.actor_user_id, p.actor_admin_id, p.acting_as_user_id, p.action,
            p.target, p.reason, p.request_id, p.client_address, p.before, p.after
     FROM platform_audit_log p
     WHERE p.actor_user_id = sqlc.arg(subject)::text AND p.target IS DISTINCT FROM sqlc.arg(subject)::text
     ORDER BY p.id DESC LIMIT sqlc.arg(max_rows))
    UNION ALL  -- what administrators did acting as the user (impersonation)
    (SELECT a.org_id AS chain, a.seq, a.id, a.at, a.actor_user_id, a.actor_admin_id, a.acting_as_user_id, a.action,
            a.target, a.reason, a.request_id, a.client_address, a.before, a.after
     FROM audit_log a
     WHERE a.acting_as_user_id = sqlc.arg(subject)::text AND a.target IS DISTINCT FROM sqlc.arg(subject)::text
       AND a.org_id IS DISTINCT FROM sqlc.arg(subject)::text AND a.actor_user_id IS DISTINCT FROM sqlc.arg(subject)::text
     ORDER BY a.id DESC LIMIT sqlc.arg(max_rows))
    UNION ALL
    (SELECT p.chain, p.seq, p.id, p.at, p.actor_user_id, p.actor_admin_id, p.acting_as_user_id, p.action,
            p.target, p.reason, p.request_id, p.client_address, p.before, p.after
     FROM platform_audit_log p
     WHERE p.acting_as_user_id = sqlc.arg(subject)::text AND p.target IS DISTINCT FROM sqlc.arg(subject)::text
       AND p.actor_user_id IS DISTINCT FROM sqlc.arg(subject)::text
     ORDER BY p.id DESC LIMIT sqlc.arg(max_rows))
) e
ORDER BY e.id DESC
LIMIT sqlc.arg(max_rows);
