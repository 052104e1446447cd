-- The check a serving worker makes for a session it has seen before, as a PL/pgSQL function: its
-- query's plan is cached in each connection, where the same check written into the statement
-- that begins the request's transaction was parsed and planned again on every request (with the
-- SQL lookup function inside it, which PostgreSQL before 18 plans again on every call). True
-- only if the session still names that user, active organization and role, has not expired and
-- belongs to an enabled user; the statement that calls it sets the tenant context only then.
-- Impersonated sessions are never checked this way (the worker looks them up on every request).
-- depends: 0021_impersonation

CREATE FUNCTION app_session_unchanged(p_token_hash bytea, p_session_id text, p_user_id text, p_org_id text,
                                  p_role org_role, p_now timestamptz, p_seen_after timestamptz)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM 1
    FROM sessions s
    JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL
    LEFT JOIN memberships m ON m.org_id = s.active_org_id AND m.user_id = s.user_id
    WHERE s.token_hash = p_token_hash AND s.id = p_session_id AND s.user_id = p_user_id
      AND s.active_org_id IS NOT DISTINCT FROM p_org_id AND m.role IS NOT DISTINCT FROM p_role
      AND s.impersonated_by IS NULL AND s.expires_at > p_now AND s.last_seen_at > p_seen_after;
    RETURN FOUND;
END
$$;
REVOKE EXECUTE ON FUNCTION app_session_unchanged(bytea, text, text, text, org_role, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_session_unchanged(bytea, text, text, text, org_role, timestamptz, timestamptz) TO blossom_app;
