-- Expired idempotency records were removed only when their own key was claimed again, so keys
-- sent once (most of them) stayed forever. The outbox worker, which already prunes the outbox
-- now and then, removes expired ones in bounded batches through this function; only the outbox
-- role may call it (the application role has no privilege on the table at all).
-- depends: 0013_assistant

CREATE FUNCTION app_idempotency_prune(p_limit integer)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (
        DELETE FROM idempotency_keys WHERE id IN (
            SELECT k.id FROM idempotency_keys k WHERE k.expires_at <= now() ORDER BY k.expires_at LIMIT p_limit
        )
        RETURNING 1
    )
    SELECT count(*)::integer FROM gone
$$;
REVOKE EXECUTE ON FUNCTION app_idempotency_prune(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_idempotency_prune(integer) TO blossom_outbox;
