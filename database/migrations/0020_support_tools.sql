-- Panopticon's support tools (issue 10): search users and organizations, a user's and an
-- organization's page with their actions, the audit log view, disabled accounts.
--
-- 1. `users.disabled_at`: a disabled user cannot log in (app_login_lookup finds no account, so
--    login does the same work and answers the same as for a wrong password) and no session of
--    theirs authenticates (app_session_for_token finds none), even one created by a login that
--    raced the disabling; `users.disable` also deletes their sessions in its transaction.
-- 2. Search: case-insensitive prefix matches served by text_pattern_ops indexes (byte-wise order,
--    whatever the database's collation), queried with ~>=~ / ~<~ range bounds, so a generic plan
--    of a prepared statement uses them too (LIKE with a parameter pattern would not).
-- 3. blossom_panopticon reads across organizations through SELECT policies of its own (as 0011
--    did for blossom_pipeline), column by column (no password hash, no token hash), and writes
--    only this short list: users.disabled_at; DELETE sessions; memberships.role and DELETE
--    memberships; invites.status; DELETE orgs; account mail jobs (app_panopticon_enqueue_account_mail); the audit log through
--    app_audit_record; the org lock app_panopticon_lock_org. panopticon/README.md lists it.
--    An organization keeps an owner through the trigger of 0005, which holds for this role too.
-- depends: 0019_admins

ALTER TABLE users ADD COLUMN disabled_at timestamptz;

CREATE OR REPLACE FUNCTION app_login_lookup(p_email text)
RETURNS TABLE (user_id text, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.password_hash FROM users u WHERE lower(u.email) = lower(p_email) AND u.disabled_at IS NULL
$$;

CREATE OR REPLACE FUNCTION app_session_for_token(p_token_hash bytea)
RETURNS TABLE (session_id text, user_id text, active_org_id text, role org_role, last_seen_at timestamptz,
               expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.user_id, s.active_org_id, m.role, s.last_seen_at, s.expires_at
    FROM sessions s
    JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL
    LEFT JOIN memberships m ON m.org_id = s.active_org_id AND m.user_id = s.user_id
    WHERE s.token_hash = p_token_hash
$$;

-- A disabled user's bearer tokens stop too: their personal tokens, and the organization keys they
-- made (which act as them, with their role).
CREATE OR REPLACE FUNCTION app_api_key_for_token(p_token_hash bytea, p_org_id text)
RETURNS TABLE (key_id text, personal boolean, user_id text, org_id text, role org_role, scope api_key_scope,
               expires_at timestamptz, last_used_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT k.id, false, k.created_by, k.org_id, m.role, k.scope, k.expires_at, k.last_used_at
    FROM api_keys k
    JOIN users u ON u.id = k.created_by AND u.disabled_at IS NULL
    LEFT JOIN memberships m ON m.org_id = k.org_id AND m.user_id = k.created_by
    WHERE k.token_hash = p_token_hash AND k.revoked_at IS NULL
    UNION ALL
    SELECT p.id, true, p.user_id, m.org_id, m.role, p.scope, p.expires_at, p.last_used_at
    FROM personal_access_tokens p
    JOIN users u ON u.id = p.user_id AND u.disabled_at IS NULL
    LEFT JOIN memberships m ON m.org_id = p_org_id AND m.user_id = p.user_id
    WHERE p.token_hash = p_token_hash AND p.revoked_at IS NULL
$$;

-- Search (panopticon/search/queries.sql).
CREATE INDEX users_email_search_idx ON users (lower(email) text_pattern_ops);
CREATE INDEX users_display_name_search_idx ON users (lower(display_name) text_pattern_ops);
CREATE INDEX users_id_search_idx ON users (id text_pattern_ops);
CREATE INDEX orgs_name_search_idx ON orgs (lower(name) text_pattern_ops);
CREATE INDEX orgs_id_search_idx ON orgs (id text_pattern_ops);

-- The audit log view, newest first across organizations (ids are time-ordered), and the entries
-- naming one user or organization (a user's and an organization's page, the target filter).
CREATE INDEX audit_log_id_idx ON audit_log (id);
CREATE INDEX audit_log_target_idx ON audit_log (target, id);
CREATE INDEX audit_log_actor_user_id_idx ON audit_log (actor_user_id, id);
CREATE INDEX platform_audit_log_target_idx ON platform_audit_log (target, id);
CREATE INDEX audit_log_acting_as_idx ON audit_log (acting_as_user_id, id);
CREATE INDEX platform_audit_log_acting_as_idx ON platform_audit_log (acting_as_user_id, id);

-- Reads across organizations, columns granted one by one.
CREATE POLICY users_panopticon_read ON users FOR SELECT TO blossom_panopticon USING (true);
CREATE POLICY orgs_panopticon_read ON orgs FOR SELECT TO blossom_panopticon USING (true);
CREATE POLICY memberships_panopticon_read ON memberships FOR SELECT TO blossom_panopticon USING (true);
CREATE POLICY invites_panopticon_read ON invites FOR SELECT TO blossom_panopticon USING (true);
CREATE POLICY sessions_panopticon_read ON sessions FOR SELECT TO blossom_panopticon USING (true);
CREATE POLICY audit_log_panopticon_read ON audit_log FOR SELECT TO blossom_panopticon USING (true);
CREATE POLICY platform_audit_log_panopticon_read ON platform_audit_log FOR SELECT TO blossom_panopticon
    USING (true);
GRANT SELECT (id, email, display_name, created_at, email_verified_at, disabled_at) ON users TO blossom_panopticon;
GRANT SELECT (id, name, created_at) ON orgs TO blossom_panopticon;
GRANT SELECT (id, org_id, user_id, role, created_at) ON memberships TO blossom_panopticon;
GRANT SELECT (id, org_id, email, role, invited_by, status, created_at, expires_at) ON invites TO blossom_panopticon;
GRANT SELECT (id, user_id, active_org_id, user_agent, created_at, last_seen_at, expires_at)
    ON sessions TO blossom_panopticon;
GRANT SELECT ON audit_log, platform_audit_log TO blossom_panopticon;

-- The write list.
CREATE POLICY users_panopticon_disable ON users FOR UPDATE TO blossom_panopticon USING (true) WITH CHECK (true);
GRANT UPDATE (disabled_at) ON users TO blossom_panopticon;
CREATE POLICY sessions_panopticon_revoke ON sessions FOR DELETE TO blossom_panopticon USING (true);
GRANT DELETE ON sessions TO blossom_panopticon;
CREATE POLICY memberships_panopticon_update ON memberships FOR UPDATE TO blossom_panopticon
    USING (true) WITH CHECK (true);
CREATE POLICY memberships_panopticon_remove ON memberships FOR DELETE TO blossom_panopticon USING (true);
GRANT UPDATE (role) ON memberships TO blossom_panopticon;
GRANT DELETE ON memberships TO blossom_panopticon;
CREATE POLICY invites_panopticon_cancel ON invites FOR UPDATE TO blossom_panopticon USING (true) WITH CHECK (true);
GRANT UPDATE (status) ON invites TO blossom_panopticon;
CREATE POLICY orgs_panopticon_delete ON orgs FOR DELETE TO blossom_panopticon USING (true);
GRANT DELETE ON orgs TO blossom_panopticon;
-- Mail to a user goes through the outbox, but only the two jobs the support tools send, with the
-- payload built here from the user's row: an INSERT on the outbox would let the role queue any
-- mail to anyone under the product's name.
CREATE FUNCTION app_panopticon_enqueue_account_mail(p_kind text, p_user_id text, p_now timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_kind NOT IN ('password_reset_requested', 'email_verification_requested') THEN
        RAISE EXCEPTION 'panopticon queues only account mail, not %', p_kind USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO outbox (kind, payload, available_at, created_at)
    SELECT p_kind,
           CASE WHEN p_kind = 'password_reset_requested' THEN jsonb_build_object('email', lower(u.email))
                ELSE jsonb_build_object('user_id', u.id) END,
           p_now, p_now
    FROM users u WHERE u.id = p_user_id;
    RETURN FOUND;
END
$$;
REVOKE EXECUTE ON FUNCTION app_panopticon_enqueue_account_mail(text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_panopticon_enqueue_account_mail(text, text, timestamptz) TO blossom_panopticon;
GRANT EXECUTE ON FUNCTION app_audit_record(text, text, timestamptz, text, text, text, text, text, text, text,
                                           text, jsonb, jsonb) TO blossom_panopticon;

-- Changes of an organization's members take turns on its row, as the product's do (LockOrg):
-- two operators transferring ownership at once end with one owner, not two. Locking needs
-- UPDATE on the row, which the role has no reason to hold: this function locks it for them.
CREATE FUNCTION app_panopticon_lock_org(p_org_id text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM 1 FROM orgs WHERE id = p_org_id FOR NO KEY UPDATE;
    RETURN FOUND;
END
$$;
REVOKE EXECUTE ON FUNCTION app_panopticon_lock_org(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_panopticon_lock_org(text) TO blossom_panopticon;
