-- Impersonation (panopticon): an administrator opens a product session as a user, for a stated
-- reason and at most 60 minutes, read-only unless they asked for writes (and their role allows
-- it). Panopticon writes `impersonations` (its own table: the product's roles see nothing of it)
-- with a one-time code, stored hashed; the product redeems the code (a SECURITY DEFINER function:
-- the code's hash in, only what the new session needs out) and marks the session it opens with
-- the impersonation, its administrator and whether it is read-only. Ending an impersonation
-- deletes its session (another function, panopticon's alone).
-- depends: 0020_support_tools

CREATE TABLE impersonations (
    id text PRIMARY KEY DEFAULT app_new_id('imp') CHECK (id ~ '^imp_[0-9a-hjkmnp-tv-z]{26}$'),
    admin_id text NOT NULL REFERENCES admins (id),
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason text NOT NULL CHECK (length(btrim(reason)) > 0 AND length(reason) <= 500),
    writes boolean NOT NULL,
    code_hash bytea NOT NULL UNIQUE CHECK (length(code_hash) = 32),
    code_expires_at timestamptz NOT NULL,
    redeemed_at timestamptz,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
        CHECK (expires_at > created_at AND expires_at <= created_at + interval '60 minutes'),
    ended_at timestamptz,
    CHECK (code_expires_at <= expires_at)
);
CREATE INDEX impersonations_admin_id_idx ON impersonations (admin_id);
CREATE INDEX impersonations_user_id_idx ON impersonations (user_id);
-- One open impersonation of a user at a time, whoever started it: two racing starts cannot both
-- win. A start first closes the user's expired ones (ended_at = expires_at).
CREATE UNIQUE INDEX impersonations_one_open_per_user ON impersonations (user_id) WHERE ended_at IS NULL;

REVOKE ALL ON impersonations FROM blossom_app;
ALTER TABLE impersonations ENABLE ROW LEVEL SECURITY;
ALTER TABLE impersonations FORCE ROW LEVEL SECURITY;
CREATE POLICY impersonations_panopticon ON impersonations TO blossom_panopticon USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON impersonations TO blossom_panopticon;
GRANT UPDATE (ended_at) ON impersonations TO blossom_panopticon;

-- A product session opened by an impersonation: which one, by which administrator (id and
-- email, for the user's banner and session list), read-only or not. Its expires_at is at most
-- the impersonation's.
ALTER TABLE sessions
    ADD COLUMN impersonation_id text REFERENCES impersonations (id) ON DELETE CASCADE,
    ADD COLUMN impersonated_by text CHECK (impersonated_by ~ '^adm_[0-9a-hjkmnp-tv-z]{26}$'),
    ADD COLUMN impersonator_email text CHECK (length(impersonator_email) <= 320),
    ADD COLUMN read_only boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT sessions_impersonation_whole CHECK (
        (impersonation_id IS NULL) = (impersonated_by IS NULL)
        AND (impersonation_id IS NULL) = (impersonator_email IS NULL)
        AND (impersonation_id IS NOT NULL OR NOT read_only)
    );
CREATE INDEX sessions_impersonation_id_idx ON sessions (impersonation_id);

-- The session lookup also says whether the session is an impersonation (new columns at the end).
-- Where users have a `disabled_at` (support tools, 0020), a disabled user's sessions stay refused:
-- this keeps the lookup's join on it, so either order of the two migrations' merge holds.
DROP FUNCTION app_session_for_token(bytea);
DO $do$
DECLARE
    v_disabled boolean := EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = 'public.users'::regclass AND attname = 'disabled_at' AND NOT attisdropped
    );
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION app_session_for_token(p_token_hash bytea)
        RETURNS TABLE (session_id text, user_id text, active_org_id text, role org_role, last_seen_at timestamptz,
                       expires_at timestamptz, impersonation_id text, impersonated_by text, read_only boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT s.id, s.user_id, s.active_org_id, m.role, s.last_seen_at, s.expires_at,
                   s.impersonation_id, s.impersonated_by, s.read_only
            FROM sessions s
            %s
            LEFT JOIN memberships m ON m.org_id = s.active_org_id AND m.user_id = s.user_id
            WHERE s.token_hash = p_token_hash
              -- An impersonated session lives only while its impersonation is open and its
              -- administrator is enabled and still holds a role that may start it (support for
              -- read-only, operator for writes): disabling or demoting them ends it at once.
              AND (s.impersonated_by IS NULL OR EXISTS (
                  SELECT 1 FROM impersonations i JOIN admins a ON a.id = i.admin_id
                  WHERE i.id = s.impersonation_id AND i.ended_at IS NULL AND a.disabled_at IS NULL
                    AND a.role::text = ANY (CASE WHEN s.read_only THEN ARRAY['support', 'operator', 'owner']
                                                 ELSE ARRAY['operator', 'owner'] END)))
        $$
    $f$, CASE WHEN v_disabled THEN 'JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL' ELSE '' END);
    -- Who an impersonation would target (id and email), whether the email is an administrator's
    -- (an administrator's own customer account is never impersonated), and whether the user is
    -- disabled (never impersonated either).
    EXECUTE format($f$
        CREATE FUNCTION app_impersonation_target(p_user_id text)
        RETURNS TABLE (user_id text, email text, is_admin boolean, disabled boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT u.id, u.email, EXISTS (SELECT 1 FROM admins a WHERE lower(a.email) = lower(u.email)), %s
            FROM users u WHERE u.id = p_user_id
        $$
    $f$, CASE WHEN v_disabled THEN 'u.disabled_at IS NOT NULL' ELSE 'false' END);
END
$do$;
REVOKE EXECUTE ON FUNCTION app_session_for_token(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_session_for_token(bytea) TO blossom_app;

-- Panopticon: end an impersonation's product session at once; the sessions deleted.
CREATE FUNCTION app_impersonation_end_sessions(p_impersonation_id text)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (DELETE FROM sessions WHERE impersonation_id = p_impersonation_id RETURNING 1)
    SELECT count(*)::integer FROM gone
$$;

-- Product: redeem a code once (unexpired, the impersonation still open, its administrator still
-- enabled): what the new session needs. A used, expired or unknown code returns no row.
CREATE FUNCTION app_impersonation_redeem(p_code_hash bytea, p_now timestamptz)
RETURNS TABLE (impersonation_id text, user_id text, admin_id text, admin_email text, writes boolean,
               expires_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE impersonations i SET redeemed_at = p_now
    FROM admins a
    WHERE i.code_hash = p_code_hash AND i.redeemed_at IS NULL AND i.ended_at IS NULL
      AND i.code_expires_at > p_now AND i.expires_at > p_now
      AND a.id = i.admin_id AND a.disabled_at IS NULL
    RETURNING i.id, i.user_id, i.admin_id, a.email, i.writes, i.expires_at
$$;

REVOKE EXECUTE ON FUNCTION app_impersonation_target(text), app_impersonation_end_sessions(text),
    app_impersonation_redeem(bytea, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_impersonation_target(text), app_impersonation_end_sessions(text)
    TO blossom_panopticon;
GRANT EXECUTE ON FUNCTION app_impersonation_redeem(bytea, timestamptz) TO blossom_app;

-- Panopticon records its own events (impersonation start and end) on the admin chain (0020,
-- support tools, grants it too: granting twice is harmless).
GRANT EXECUTE ON FUNCTION app_audit_record(text, text, timestamptz, text, text, text, text, text, text, text,
                                           text, jsonb, jsonb) TO blossom_panopticon;
