-- name: InsertNodeType :one
-- A new node type, unless the organization has one of that name (then nothing: a concurrent
-- creation of the same name waits here for the other's commit).
INSERT INTO graph_node_types (org_id, name, description, schema, created_at, updated_at)
VALUES (sqlc.arg(org_id), sqlc.arg(name), sqlc.arg(description), sqlc.arg(schema), sqlc.arg(now), sqlc.arg(now))
ON CONFLICT (org_id, name) DO NOTHING
RETURNING *;

-- name: GetNodeType :one
SELECT * FROM graph_node_types WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id);

-- name: LockNodeType :one
-- The type, locked against new nodes of it (their foreign key check waits for this transaction).
SELECT * FROM graph_node_types WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id) FOR UPDATE;

-- name: NodeTypeNamed :one
SELECT id FROM graph_node_types WHERE org_id = sqlc.arg(org_id) AND name = sqlc.arg(name);

-- name: UpdateNodeType :one
UPDATE graph_node_types SET
    name = coalesce(sqlc.narg(name), name),
    description = coalesce(sqlc.narg(description), description),
    schema = coalesce(sqlc.narg(schema), schema),
    updated_at = sqlc.arg(now)
WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id)
RETURNING *;

-- name: DeleteNodeType :execrows
DELETE FROM graph_node_types WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id);

-- name: ListNodeTypes :many
-- A page of node types in id order, after the cursor's id.
SELECT * FROM graph_node_types
WHERE org_id = sqlc.arg(org_id) AND id > sqlc.arg(after)
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: HasNodesOfType :one
-- not-null: found
SELECT EXISTS (SELECT 1 FROM graph_nodes WHERE org_id = sqlc.arg(org_id) AND node_type_id = sqlc.arg(node_type_id)) AS found;

-- name: DeleteNodesOfType :execrows
-- Their relationships go with them (ON DELETE CASCADE).
DELETE FROM graph_nodes WHERE org_id = sqlc.arg(org_id) AND node_type_id = sqlc.arg(node_type_id);

-- name: NodesOfTypePage :many
-- Nodes of a type in id order after `after`, for revalidating them against a new schema.
SELECT id, data FROM graph_nodes
WHERE org_id = sqlc.arg(org_id) AND node_type_id = sqlc.arg(node_type_id) AND id > sqlc.arg(after)
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: InsertNode :one
INSERT INTO graph_nodes (org_id, node_type_id, data, created_at, updated_at)
VALUES (sqlc.arg(org_id), sqlc.arg(node_type_id), sqlc.arg(data), sqlc.arg(now), sqlc.arg(now))
RETURNING *;

-- name: GetNode :one
SELECT * FROM graph_nodes WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id);

-- name: LockNode :one
-- The node with its type's schema, locked: a merge patch reads, merges and writes it back.
SELECT n.id, n.node_type_id, n.data, t.schema
FROM graph_nodes n JOIN graph_node_types t ON t.org_id = n.org_id AND t.id = n.node_type_id
WHERE n.org_id = sqlc.arg(org_id) AND n.id = sqlc.arg(id)
FOR NO KEY UPDATE OF n;

-- name: UpdateNodeData :one
UPDATE graph_nodes SET data = sqlc.arg(data), updated_at = sqlc.arg(now)
WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id)
RETURNING *;

-- name: DeleteNode :execrows
-- Its relationships go with it, in the same statement (ON DELETE CASCADE).
DELETE FROM graph_nodes WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id);

-- name: ListNodes :many
-- A page of the organization's nodes in id order, after the cursor's id.
SELECT * FROM graph_nodes
WHERE org_id = sqlc.arg(org_id) AND id > sqlc.arg(after)
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: ListNodesContaining :many
-- The same, only nodes whose data contains `filter` (the GIN index on (org_id, data)).
SELECT * FROM graph_nodes
WHERE org_id = sqlc.arg(org_id) AND data @> sqlc.arg(filter)::jsonb AND id > sqlc.arg(after)
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: ListNodesOfType :many
SELECT * FROM graph_nodes
WHERE org_id = sqlc.arg(org_id) AND node_type_id = sqlc.arg(node_type_id) AND id > sqlc.arg(after)
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: ListNodesOfTypeContaining :many
SELECT * FROM graph_nodes
WHERE org_id = sqlc.arg(org_id) AND node_type_id = sqlc.arg(node_type_id) AND data @> sqlc.arg(filter)::jsonb
  AND id > sqlc.arg(after)
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: InsertRelationship :one
INSERT INTO graph_relationships (org_id, source_id, target_id, type, data, created_at, updated_at)
VALUES (sqlc.arg(org_id), sqlc.arg(source_id), sqlc.arg(target_id), sqlc.arg(type), sqlc.narg(data), sqlc.arg(now),
        sqlc.arg(now))
RETURNING *;

-- name: GetRelationship :one
SELECT * FROM graph_relationships WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id);

-- name: UpdateRelationship :one
-- A new type when given; the data replaced when `set_data` (null clears it).
UPDATE graph_relationships SET
    type = coalesce(sqlc.narg(type), type),
    data = CASE WHEN sqlc.arg(set_data)::boolean THEN sqlc.narg(data)::jsonb ELSE data END,
    updated_at = sqlc.arg(now)
WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id)
RETURNING *;

-- name: DeleteRelationship :execrows
DELETE FROM graph_relationships WHERE org_id = sqlc.arg(org_id) AND id = sqlc.arg(id);

-- name: ListRelationships :many
SELECT * FROM graph_relationships
WHERE org_id = sqlc.arg(org_id) AND id > sqlc.arg(after)
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: ListRelationshipsOfType :many
SELECT * FROM graph_relationships
WHERE org_id = sqlc.arg(org_id) AND type = sqlc.arg(type) AND id > sqlc.arg(after)
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: ListRelationshipsFrom :many
-- A source node's relationships (optionally to one target, of one type), in id order.
SELECT * FROM graph_relationships
WHERE org_id = sqlc.arg(org_id) AND source_id = sqlc.arg(source_id) AND id > sqlc.arg(after)
  AND (sqlc.narg(target_id)::text IS NULL OR target_id = sqlc.narg(target_id))
  AND (sqlc.narg(type)::text IS NULL OR type = sqlc.narg(type))
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: ListRelationshipsTo :many
SELECT * FROM graph_relationships
WHERE org_id = sqlc.arg(org_id) AND target_id = sqlc.arg(target_id) AND id > sqlc.arg(after)
  AND (sqlc.narg(type)::text IS NULL OR type = sqlc.narg(type))
ORDER BY id LIMIT sqlc.arg(max_rows);

-- name: Neighbours :many
-- A node's relationships (outgoing, incoming or both) with the node at the other end, in
-- relationship id order.
SELECT r.id AS relationship_id, r.source_id, r.target_id, r.type, r.data AS relationship_data,
       r.created_at AS relationship_created_at, r.updated_at AS relationship_updated_at,
       n.id AS node_id, n.node_type_id, n.data AS node_data, n.created_at AS node_created_at,
       n.updated_at AS node_updated_at
FROM graph_relationships r
JOIN graph_nodes n ON n.org_id = r.org_id
    AND n.id = CASE WHEN r.source_id = sqlc.arg(node_id) THEN r.target_id ELSE r.source_id END
WHERE r.org_id = sqlc.arg(org_id) AND r.id > sqlc.arg(after)
  AND ((sqlc.arg(outgoing)::boolean AND r.source_id = sqlc.arg(node_id))
       OR (sqlc.arg(incoming)::boolean AND r.target_id = sqlc.arg(node_id)))
  AND (sqlc.narg(type)::text IS NULL OR r.type = sqlc.narg(type))
ORDER BY r.id LIMIT sqlc.arg(max_rows);

-- name: Traverse :many
-- The nodes reachable from `start_id` within `max_depth` steps, each once at its smallest depth,
-- nearest first. Cycle-safe: UNION keeps one row per (node, depth) and depth is bounded, so the
-- walk ends; `max_visits` bounds its work (the recursion stops being evaluated past it), and
-- `visits` says how far it got (equal to `max_visits`: the answer may be incomplete).
-- not-null: depth, visits
WITH RECURSIVE walk (node_id, depth) AS (
    SELECT sqlc.arg(start_id)::text, 0
    UNION
    SELECT CASE WHEN r.source_id = w.node_id AND sqlc.arg(outgoing)::boolean THEN r.target_id ELSE r.source_id END,
           w.depth + 1
    FROM walk w
    JOIN graph_relationships r ON r.org_id = sqlc.arg(org_id)
        AND ((sqlc.arg(outgoing)::boolean AND r.source_id = w.node_id)
             OR (sqlc.arg(incoming)::boolean AND r.target_id = w.node_id))
    WHERE w.depth < sqlc.arg(max_depth)::integer
      AND (sqlc.narg(type)::text IS NULL OR r.type = sqlc.narg(type))
),
bounded AS (SELECT node_id, depth FROM walk LIMIT sqlc.arg(max_visits)::integer),
reached AS (SELECT node_id, min(depth) AS depth FROM bounded WHERE node_id <> sqlc.arg(start_id) GROUP BY node_id)
SELECT n.id, n.node_type_id, n.data, n.created_at, n.updated_at, reached.depth::integer AS depth,
       (SELECT count(*) FROM bounded)::integer AS visits
FROM reached JOIN graph_nodes n ON n.org_id = sqlc.arg(org_id) AND n.id = reached.node_id
ORDER BY reached.depth, n.id
LIMIT sqlc.arg(max_rows);
