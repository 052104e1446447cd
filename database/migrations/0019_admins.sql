-- Administrators: accounts of their own (never a flag on a customer user), with a mandatory
-- second factor (TOTP, its secret encrypted by the app; single-use recovery codes, stored as
-- hashes), their own sessions and one-time enrolment codes, and panopticon's database role.
--
-- blossom_panopticon (created by provisioning: LOGIN, NOBYPASSRLS, a member of no role) is the
-- only role that sees these tables: the grants below are its whole write list, and each table's
-- only policy is for it, so a grant given to another role by mistake still shows no row. The
-- product's roles (blossom_app, blossom_outbox) get no privilege on them (the schema's default
-- privileges would give blossom_app everything: revoked here). Cross-tenant reads for support
-- tools come later as SECURITY DEFINER functions or SELECT policies of its own (as 0011 did
-- for blossom_pipeline).
-- depends: 0018_audit_log

CREATE TYPE admin_role AS ENUM ('viewer', 'support', 'operator', 'owner');

CREATE TABLE admins (
    id text PRIMARY KEY DEFAULT app_new_id('adm') CHECK (id ~ '^adm_[0-9a-hjkmnp-tv-z]{26}$'),
    email text NOT NULL CHECK (email LIKE '%_@_%' AND length(email) <= 320),
    role admin_role NOT NULL,
    -- NULL until enrolment sets the password (same format as users.password_hash).
    password_hash text,
    -- AES-256-GCM (nonce || ciphertext || tag) under the app's encryption key, bound to the id.
    totp_secret_encrypted bytea,
    -- The newest TOTP time step accepted at login: a code is good once (replay protection).
    totp_last_step bigint,
    -- invited: has an enrolment code; pending_totp: password set, first TOTP code not yet
    -- confirmed; active: may log in.
    enrolment_state text NOT NULL DEFAULT 'invited'
        CHECK (enrolment_state IN ('invited', 'pending_totp', 'active')),
    enrolled_at timestamptz,
    disabled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((enrolment_state = 'active') = (enrolled_at IS NOT NULL)),
    CHECK (enrolment_state = 'invited' OR (password_hash IS NOT NULL AND totp_secret_encrypted IS NOT NULL))
);
CREATE UNIQUE INDEX admins_email_key ON admins (lower(email));

CREATE TABLE admin_recovery_codes (
    id text PRIMARY KEY DEFAULT app_new_id('adr') CHECK (id ~ '^adr_[0-9a-hjkmnp-tv-z]{26}$'),
    admin_id text NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz,
    UNIQUE (admin_id, code_hash)
);

CREATE TABLE admin_sessions (
    id text PRIMARY KEY DEFAULT app_new_id('ads') CHECK (id ~ '^ads_[0-9a-hjkmnp-tv-z]{26}$'),
    admin_id text NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_agent text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 500),
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX admin_sessions_admin_id_idx ON admin_sessions (admin_id);
CREATE INDEX admin_sessions_expires_at_idx ON admin_sessions (expires_at);

CREATE TABLE admin_enrolment_tokens (
    id text PRIMARY KEY DEFAULT app_new_id('ade') CHECK (id ~ '^ade_[0-9a-hjkmnp-tv-z]{26}$'),
    admin_id text NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX admin_enrolment_tokens_admin_id_idx ON admin_enrolment_tokens (admin_id);

-- Panopticon's login limits: fixed windows per bucket (SHA-256 of action and subject), kept
-- apart from the product's `rate_limits` so neither app can reset the other's.
CREATE TABLE admin_rate_limits (
    id text PRIMARY KEY DEFAULT app_new_id('adl') CHECK (id ~ '^adl_[0-9a-hjkmnp-tv-z]{26}$'),
    bucket bytea NOT NULL CHECK (length(bucket) = 32),
    window_start timestamptz NOT NULL,
    hits integer NOT NULL DEFAULT 1,
    expires_at timestamptz NOT NULL,
    UNIQUE (bucket, window_start)
);
CREATE INDEX admin_rate_limits_expires_at_idx ON admin_rate_limits (expires_at);

-- At least one enrolled, enabled owner stays, whatever interleaving of requests (two owners
-- demoting or disabling each other at once). After a row stops being an active owner, the
-- trigger takes a transaction-level advisory lock that every such change takes, then counts:
-- in READ COMMITTED the count (a new statement after the lock) sees the change committed
-- before it, so the second of two racing demotions finds no other owner and fails.
CREATE FUNCTION app_admins_keep_an_owner()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (OLD.role = 'owner' AND OLD.enrolment_state = 'active' AND OLD.disabled_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.role = 'owner' AND NEW.enrolment_state = 'active' AND NEW.disabled_at IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('blossom.admins_keep_an_owner'));
    IF NOT EXISTS (
        SELECT 1 FROM admins WHERE role = 'owner' AND enrolment_state = 'active' AND disabled_at IS NULL
    ) THEN
        RAISE EXCEPTION 'the last owner cannot be demoted or disabled'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'admins_keep_an_owner';
    END IF;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION app_admins_keep_an_owner() FROM PUBLIC;

CREATE TRIGGER admins_keep_an_owner
    AFTER UPDATE OF role, enrolment_state, disabled_at OR DELETE ON admins
    FOR EACH ROW EXECUTE FUNCTION app_admins_keep_an_owner();

-- Only panopticon's role sees or writes these tables.
REVOKE ALL ON admins, admin_recovery_codes, admin_sessions, admin_enrolment_tokens, admin_rate_limits
    FROM blossom_app;

ALTER TABLE admins ENABLE ROW LEVEL SECURITY;
ALTER TABLE admins FORCE ROW LEVEL SECURITY;
CREATE POLICY admins_panopticon ON admins TO blossom_panopticon USING (true) WITH CHECK (true);
ALTER TABLE admin_recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE admin_recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_recovery_codes_panopticon ON admin_recovery_codes TO blossom_panopticon
    USING (true) WITH CHECK (true);
ALTER TABLE admin_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE admin_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_sessions_panopticon ON admin_sessions TO blossom_panopticon USING (true) WITH CHECK (true);
ALTER TABLE admin_enrolment_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE admin_enrolment_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_enrolment_tokens_panopticon ON admin_enrolment_tokens TO blossom_panopticon
    USING (true) WITH CHECK (true);
ALTER TABLE admin_rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE admin_rate_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY admin_rate_limits_panopticon ON admin_rate_limits TO blossom_panopticon
    USING (true) WITH CHECK (true);

-- panopticon's whole write list: its own tables, nothing of the product's. No DELETE on admins
-- (an administrator is disabled, never deleted: their id stays for the audit log).
GRANT USAGE ON SCHEMA public TO blossom_panopticon;
GRANT SELECT, INSERT ON admins TO blossom_panopticon;
GRANT UPDATE (role, password_hash, totp_secret_encrypted, totp_last_step, enrolment_state, enrolled_at, disabled_at)
    ON admins TO blossom_panopticon;
GRANT SELECT, INSERT, DELETE ON admin_recovery_codes TO blossom_panopticon;
GRANT UPDATE (used_at) ON admin_recovery_codes TO blossom_panopticon;
GRANT SELECT, INSERT, DELETE ON admin_sessions TO blossom_panopticon;
GRANT UPDATE (last_seen_at) ON admin_sessions TO blossom_panopticon;
GRANT SELECT, INSERT, DELETE ON admin_enrolment_tokens TO blossom_panopticon;
GRANT UPDATE (used_at) ON admin_enrolment_tokens TO blossom_panopticon;
GRANT SELECT, INSERT, UPDATE, DELETE ON admin_rate_limits TO blossom_panopticon;
-- /health reports the schema version (yoyo's table of applied migrations).
GRANT SELECT ON _yoyo_migration TO blossom_panopticon;
