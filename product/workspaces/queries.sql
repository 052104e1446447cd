-- name: InsertWorkspace :one
-- The organization's workspace, unless it has one already (then nothing: a concurrent first use
-- waits here for the other's commit).
INSERT INTO workspaces (org_id, display_name, created_at, updated_at)
VALUES (sqlc.arg(org_id), sqlc.arg(display_name), sqlc.arg(now), sqlc.arg(now))
ON CONFLICT (org_id) DO NOTHING
RETURNING id;

-- name: ClaimHandle :one
-- Take a handle if no workspace of any organization holds it (the unique index sees them all).
INSERT INTO workspace_handles (org_id, workspace_id, handle, created_at)
VALUES (sqlc.arg(org_id), sqlc.arg(workspace_id), sqlc.arg(handle), sqlc.arg(now))
ON CONFLICT (handle) DO NOTHING
RETURNING id;

-- name: ReleaseExpiredHandle :one
-- not-null: released
SELECT app_release_expired_handle(sqlc.arg(handle), sqlc.arg(now)) AS released;

-- name: GetWorkspace :one
SELECT w.id, w.org_id, h.handle, w.display_name, w.tone, w.timezone, w.knowledge_base, w.tagline,
       w.created_at, w.updated_at
FROM workspaces w JOIN workspace_handles h ON h.workspace_id = w.id AND h.expires_at IS NULL
WHERE w.org_id = sqlc.arg(org_id);

-- name: LockWorkspace :one
-- The organization's workspace, locked: changes of its handle and its active connector go one at a time.
SELECT id FROM workspaces WHERE org_id = sqlc.arg(org_id) FOR NO KEY UPDATE;

-- name: UpdateWorkspace :execrows
UPDATE workspaces SET
    display_name = coalesce(sqlc.narg(display_name), display_name),
    tone = coalesce(sqlc.narg(tone)::workspace_tone, tone),
    timezone = coalesce(sqlc.narg(timezone), timezone),
    knowledge_base = coalesce(sqlc.narg(knowledge_base), knowledge_base),
    tagline = coalesce(sqlc.narg(tagline), tagline),
    updated_at = sqlc.arg(now)
WHERE id = sqlc.arg(id);

-- name: RetireCurrentHandle :execrows
-- The current handle becomes a redirect until expires_at.
UPDATE workspace_handles SET expires_at = sqlc.arg(expires_at)
WHERE workspace_id = sqlc.arg(workspace_id) AND expires_at IS NULL;

-- name: ReviveHandle :execrows
-- Taking back one of the workspace's own old handles makes it current again.
UPDATE workspace_handles SET expires_at = NULL
WHERE workspace_id = sqlc.arg(workspace_id) AND handle = sqlc.arg(handle) AND expires_at IS NOT NULL;

-- name: DropRedirect :execrows
DELETE FROM workspace_handles WHERE workspace_id = sqlc.arg(workspace_id) AND handle = sqlc.arg(handle);

-- name: ListRedirects :many
SELECT handle, expires_at FROM workspace_handles
WHERE workspace_id = sqlc.arg(workspace_id) AND expires_at IS NOT NULL AND expires_at > sqlc.arg(now)
ORDER BY expires_at DESC;

-- name: WorkspaceForHandle :one
-- not-null: workspace_id, org_id, current_handle
SELECT w.workspace_id::text AS workspace_id, w.org_id::text AS org_id, w.current_handle::text AS current_handle
FROM app_workspace_for_handle(sqlc.arg(handle), sqlc.arg(now)) w;

-- name: ListServices :many
SELECT * FROM services WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY display_order, created_at, id;

-- name: ListActiveServices :many
SELECT * FROM services WHERE workspace_id = sqlc.arg(workspace_id) AND active ORDER BY display_order, created_at, id;

-- name: InsertService :one
INSERT INTO services (org_id, workspace_id, name, description, duration_minutes, price, currency, active,
                      display_order, created_at)
VALUES (sqlc.arg(org_id), sqlc.arg(workspace_id), sqlc.arg(name), sqlc.arg(description), sqlc.arg(duration_minutes),
        sqlc.arg(price), sqlc.arg(currency), sqlc.arg(active),
        (SELECT coalesce(max(display_order) + 1, 0) FROM services WHERE workspace_id = sqlc.arg(workspace_id)),
        sqlc.arg(now))
RETURNING *;

-- name: UpdateService :one
UPDATE services SET
    name = coalesce(sqlc.narg(name), name),
    description = coalesce(sqlc.narg(description), description),
    duration_minutes = coalesce(sqlc.narg(duration_minutes)::integer, duration_minutes),
    price = coalesce(sqlc.narg(price)::numeric, price),
    currency = coalesce(sqlc.narg(currency), currency),
    active = coalesce(sqlc.narg(active)::boolean, active)
WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id)
RETURNING *;

-- name: SetServiceOrder :execrows
-- Each listed service takes its position in the list as its display order.
UPDATE services s SET display_order = o.position::integer
FROM unnest(sqlc.arg(ids)::text[]) WITH ORDINALITY AS o(id, position)
WHERE s.id = o.id AND s.workspace_id = sqlc.arg(workspace_id);

-- name: DeleteService :execrows
DELETE FROM services WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- name: InsertConnector :one
INSERT INTO connectors (org_id, workspace_id, kind, config, created_at)
VALUES (sqlc.arg(org_id), sqlc.arg(workspace_id), sqlc.arg(kind), sqlc.arg(config), sqlc.arg(now))
RETURNING *;

-- name: ListConnectors :many
SELECT * FROM connectors WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY created_at, id;

-- name: ActiveConnector :one
SELECT * FROM connectors WHERE workspace_id = sqlc.arg(workspace_id) AND active;

-- name: DeactivateConnectors :execrows
UPDATE connectors SET active = false WHERE workspace_id = sqlc.arg(workspace_id) AND active;

-- name: ActivateConnector :one
UPDATE connectors SET active = true WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id) RETURNING *;

-- name: DeactivateConnector :one
UPDATE connectors SET active = false WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id) RETURNING *;

-- name: DeleteConnector :execrows
DELETE FROM connectors WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);
