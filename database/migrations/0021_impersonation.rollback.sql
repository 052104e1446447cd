-- Undo 0021_impersonation.
-- panopticon keeps EXECUTE on app_audit_record: 0020 (support tools) grants it too, and a revoke
-- here would take it from that migration's routes (0018's rollback drops the function).
DROP FUNCTION app_impersonation_redeem(bytea, timestamptz);
DROP FUNCTION app_impersonation_end_sessions(text);
DROP FUNCTION app_impersonation_target(text);
DROP FUNCTION app_session_for_token(bytea);
DO $do$
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION app_session_for_token(p_token_hash bytea)
        RETURNS TABLE (session_id text, user_id text, active_org_id text, role org_role, last_seen_at timestamptz,
                       expires_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT s.id, s.user_id, s.active_org_id, m.role, s.last_seen_at, s.expires_at
            FROM sessions s
            %s
            LEFT JOIN memberships m ON m.org_id = s.active_org_id AND m.user_id = s.user_id
            WHERE s.token_hash = p_token_hash
        $$
    $f$, CASE WHEN EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = 'public.users'::regclass AND attname = 'disabled_at' AND NOT attisdropped
    ) THEN 'JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL' ELSE '' END);
END
$do$;
REVOKE EXECUTE ON FUNCTION app_session_for_token(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_session_for_token(bytea) TO blossom_app;
DROP INDEX sessions_impersonation_id_idx;
ALTER TABLE sessions DROP CONSTRAINT sessions_impersonation_whole,
    DROP COLUMN read_only, DROP COLUMN impersonator_email, DROP COLUMN impersonated_by, DROP COLUMN impersonation_id;
DROP TABLE impersonations;
