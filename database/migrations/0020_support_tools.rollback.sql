-- Undo 0020_support_tools.
DROP FUNCTION app_panopticon_lock_org(text);
REVOKE EXECUTE ON FUNCTION app_audit_record(text, text, timestamptz, text, text, text, text, text, text, text,
                                            text, jsonb, jsonb) FROM blossom_panopticon;
DROP FUNCTION app_panopticon_enqueue_account_mail(text, text, timestamptz);
REVOKE ALL ON users, orgs, memberships, invites, sessions, audit_log, platform_audit_log FROM blossom_panopticon;
DROP POLICY orgs_panopticon_delete ON orgs;
DROP POLICY invites_panopticon_cancel ON invites;
DROP POLICY memberships_panopticon_remove ON memberships;
DROP POLICY memberships_panopticon_update ON memberships;
DROP POLICY sessions_panopticon_revoke ON sessions;
DROP POLICY users_panopticon_disable ON users;
DROP POLICY platform_audit_log_panopticon_read ON platform_audit_log;
DROP POLICY audit_log_panopticon_read ON audit_log;
DROP POLICY sessions_panopticon_read ON sessions;
DROP POLICY invites_panopticon_read ON invites;
DROP POLICY memberships_panopticon_read ON memberships;
DROP POLICY orgs_panopticon_read ON orgs;
DROP POLICY users_panopticon_read ON users;
DROP INDEX platform_audit_log_acting_as_idx;
DROP INDEX audit_log_acting_as_idx;
DROP INDEX platform_audit_log_target_idx;
DROP INDEX audit_log_actor_user_id_idx;
DROP INDEX audit_log_target_idx;
DROP INDEX audit_log_id_idx;
DROP INDEX orgs_id_search_idx;
DROP INDEX orgs_name_search_idx;
DROP INDEX users_id_search_idx;
DROP INDEX users_display_name_search_idx;
DROP INDEX users_email_search_idx;
CREATE OR REPLACE FUNCTION app_api_key_for_token(p_token_hash bytea, p_org_id text)
RETURNS TABLE (key_id text, personal boolean, user_id text, org_id text, role org_role, scope api_key_scope,
               expires_at timestamptz, last_used_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT k.id, false, k.created_by, k.org_id, m.role, k.scope, k.expires_at, k.last_used_at
    FROM api_keys k
    LEFT JOIN memberships m ON m.org_id = k.org_id AND m.user_id = k.created_by
    WHERE k.token_hash = p_token_hash AND k.revoked_at IS NULL
    UNION ALL
    SELECT p.id, true, p.user_id, m.org_id, m.role, p.scope, p.expires_at, p.last_used_at
    FROM personal_access_tokens p
    LEFT JOIN memberships m ON m.org_id = p_org_id AND m.user_id = p.user_id
    WHERE p.token_hash = p_token_hash AND p.revoked_at IS NULL
$$;
CREATE OR REPLACE FUNCTION app_session_for_token(p_token_hash bytea)
RETURNS TABLE (session_id text, user_id text, active_org_id text, role org_role, last_seen_at timestamptz,
               expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.user_id, s.active_org_id, m.role, s.last_seen_at, s.expires_at
    FROM sessions s
    LEFT JOIN memberships m ON m.org_id = s.active_org_id AND m.user_id = s.user_id
    WHERE s.token_hash = p_token_hash
$$;
CREATE OR REPLACE FUNCTION app_login_lookup(p_email text)
RETURNS TABLE (user_id text, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.password_hash FROM users u WHERE lower(u.email) = lower(p_email)
$$;
ALTER TABLE users DROP COLUMN disabled_at;
