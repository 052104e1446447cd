-- name: DatabaseStatus :one
-- The database's size and its connections (every role's, counted; their queries stay hidden).
-- not-null: size_bytes, connections, max_connections
SELECT pg_database_size(current_database())::bigint AS size_bytes,
       (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = current_database())::bigint AS connections,
       current_setting('max_connections')::bigint AS max_connections;

-- name: ConnectionsByRole :many
-- not-null: role, connections
SELECT coalesce(usename::text, '(background)')::text AS role, count(*)::bigint AS connections
FROM pg_catalog.pg_stat_activity WHERE datname = current_database()
GROUP BY 1 ORDER BY 1;
