-- Delivered and given-up outbox rows kept their recipient and subject forever (only the body was
-- cleared). The worker removes finished rows older than its retention, in bounded batches,
-- through this function; like claiming, only the outbox role may call it.
-- depends: 0009_outbox_role

CREATE INDEX outbox_finished_idx ON outbox (created_at) WHERE status <> 'pending';

CREATE FUNCTION app_outbox_prune(p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (
        DELETE FROM outbox WHERE id IN (
            SELECT o.id FROM outbox o WHERE o.status <> 'pending' AND o.created_at < p_before
            ORDER BY o.created_at LIMIT p_limit
        )
        RETURNING 1
    )
    SELECT count(*)::integer FROM gone
$$;
REVOKE EXECUTE ON FUNCTION app_outbox_prune(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_outbox_prune(timestamptz, integer) TO blossom_outbox;
