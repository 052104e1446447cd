-- name: RecordAudit :one
-- Append one event to a chain (an org id, 'account' or 'admin') in the caller's transaction.
-- not-null: id
SELECT app_audit_record(
    sqlc.arg(id)::text, sqlc.arg(chain)::text, sqlc.arg(now)::timestamptz,
    sqlc.narg(actor_user_id)::text, sqlc.narg(actor_admin_id)::text, sqlc.narg(acting_as_user_id)::text,
    sqlc.arg(action)::text, sqlc.narg(target)::text, sqlc.narg(reason)::text, sqlc.narg(request_id)::text,
    sqlc.narg(client_address)::text, sqlc.narg(before)::jsonb, sqlc.narg(after)::jsonb
) AS id;

-- name: ListAuditChains :many
-- Every chain that has a head or a row: organizations' by id, then 'account' and 'admin'.
-- not-null: chain
SELECT c.chain::text AS chain FROM (
    SELECT org_id AS chain FROM audit_heads
    UNION SELECT DISTINCT org_id FROM audit_log
    UNION SELECT chain FROM platform_audit_heads
    UNION SELECT DISTINCT chain FROM platform_audit_log
) c ORDER BY c.chain;

-- name: OrgAuditHead :one
-- An organization's chain head: its last seq and hash as the writers left them.
SELECT seq, hash FROM audit_heads WHERE org_id = sqlc.arg(org_id);

-- name: PlatformAuditHead :one
-- The 'account' or 'admin' chain's head.
SELECT seq, hash FROM platform_audit_heads WHERE chain = sqlc.arg(chain);

-- name: OrgAuditPage :many
-- One page of an organization's chain in order, after seq `after_seq`, with what the hash
-- covers (the time as epoch microseconds, jsonb as its text).
-- not-null: at_micros
SELECT id, seq, (extract(epoch FROM at) * 1000000)::bigint AS at_micros, actor_user_id, actor_admin_id,
       acting_as_user_id, action, target, reason, request_id, client_address, before::text AS before_text,
       after::text AS after_text, prev_hash, hash
FROM audit_log WHERE org_id = sqlc.arg(org_id) AND seq > sqlc.arg(after_seq)
ORDER BY seq LIMIT sqlc.arg(max_rows);

-- name: PlatformAuditPage :many
-- The same for the 'account' or 'admin' chain.
-- not-null: at_micros
SELECT id, seq, (extract(epoch FROM at) * 1000000)::bigint AS at_micros, actor_user_id, actor_admin_id,
       acting_as_user_id, action, target, reason, request_id, client_address, before::text AS before_text,
       after::text AS after_text, prev_hash, hash
FROM platform_audit_log WHERE chain = sqlc.arg(chain) AND seq > sqlc.arg(after_seq)
ORDER BY seq LIMIT sqlc.arg(max_rows);
