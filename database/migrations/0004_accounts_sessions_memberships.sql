-- Accounts, sessions, memberships, invitations, single-use tokens and rate limits.
-- Lookups that must happen before a tenant context exists (a session by its token, a user by
-- email at login, an invitation or a reset token by its token) go through small SECURITY
-- DEFINER functions that take the secret and return only what the caller needs.
-- depends: 0003_org_notes

CREATE TYPE org_role AS ENUM ('owner', 'admin', 'member');
CREATE TYPE invite_status AS ENUM ('pending', 'accepted', 'declined', 'cancelled');
CREATE TYPE token_purpose AS ENUM ('password_reset', 'email_verification');

ALTER TABLE users ADD COLUMN password_hash text NOT NULL DEFAULT '!';
ALTER TABLE users ALTER COLUMN password_hash DROP DEFAULT;
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

CREATE TABLE memberships (
    id text PRIMARY KEY DEFAULT app_new_id('mem') CHECK (id ~ '^mem_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role org_role NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
-- Writes stay inside the active organization; reads also see the caller's own memberships
-- (to list their organizations).
CREATE POLICY memberships_tenant ON memberships
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));
CREATE POLICY memberships_own_read ON memberships FOR SELECT
    USING (user_id = (SELECT app_current_user_id()));

-- A user reads the organizations they belong to; writes stay with the active one.
CREATE POLICY orgs_member_read ON orgs FOR SELECT
    USING (id IN (SELECT m.org_id FROM memberships m WHERE m.user_id = (SELECT app_current_user_id())));

-- A user reads the members of their active organization; writes stay with themselves.
CREATE POLICY users_colleague_read ON users FOR SELECT
    USING (id IN (SELECT m.user_id FROM memberships m WHERE m.org_id = (SELECT app_current_org_id())));

CREATE TABLE sessions (
    id text PRIMARY KEY DEFAULT app_new_id('ses') CHECK (id ~ '^ses_[0-9a-hjkmnp-tv-z]{26}$'),
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    active_org_id text REFERENCES orgs (id) ON DELETE SET NULL,
    user_agent text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 500),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_active_org_id_idx ON sessions (active_org_id);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_own ON sessions
    USING (user_id = (SELECT app_current_user_id()))
    WITH CHECK (user_id = (SELECT app_current_user_id()));

CREATE TABLE invites (
    id text PRIMARY KEY DEFAULT app_new_id('inv') CHECK (id ~ '^inv_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    email text NOT NULL CHECK (email LIKE '%_@_%'),
    role org_role NOT NULL CHECK (role <> 'owner'),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    invited_by text REFERENCES users (id) ON DELETE SET NULL,
    status invite_status NOT NULL DEFAULT 'pending',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX invites_org_id_created_at_idx ON invites (org_id, created_at);
CREATE INDEX invites_invited_by_idx ON invites (invited_by);

ALTER TABLE invites ENABLE ROW LEVEL SECURITY;
ALTER TABLE invites FORCE ROW LEVEL SECURITY;
CREATE POLICY invites_tenant ON invites
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

-- Password-reset and email-verification tokens: single use, expiring, stored as SHA-256.
CREATE TABLE user_tokens (
    id text PRIMARY KEY DEFAULT app_new_id('tok') CHECK (id ~ '^tok_[0-9a-hjkmnp-tv-z]{26}$'),
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose token_purpose NOT NULL,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX user_tokens_user_id_idx ON user_tokens (user_id);

ALTER TABLE user_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY user_tokens_own ON user_tokens
    USING (user_id = (SELECT app_current_user_id()))
    WITH CHECK (user_id = (SELECT app_current_user_id()));

-- Fixed-window counters shared by every process. Buckets are hashes (no emails or addresses).
CREATE TABLE rate_limits (
    id text PRIMARY KEY DEFAULT app_new_id('rl') CHECK (id ~ '^rl_[0-9a-hjkmnp-tv-z]{26}$'),
    bucket bytea NOT NULL CHECK (length(bucket) = 32),
    window_start timestamptz NOT NULL,
    hits integer NOT NULL DEFAULT 1,
    UNIQUE (bucket, window_start)
);

-- The session a cookie's token names, with the caller's role in its active organization.
CREATE FUNCTION app_session_for_token(p_token_hash bytea)
RETURNS TABLE (session_id text, user_id text, active_org_id text, role org_role, last_seen_at timestamptz,
               expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.user_id, s.active_org_id, m.role, s.last_seen_at, s.expires_at
    FROM sessions s
    LEFT JOIN memberships m ON m.org_id = s.active_org_id AND m.user_id = s.user_id
    WHERE s.token_hash = p_token_hash
$$;

-- Record activity at most once a minute per session (idle expiry), without a write per request.
CREATE FUNCTION app_session_touch(p_session_id text, p_now timestamptz)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE sessions SET last_seen_at = p_now
    WHERE id = p_session_id AND last_seen_at < p_now - interval '1 minute'
$$;

-- Login: the password hash for an email (nothing else about the user).
CREATE FUNCTION app_login_lookup(p_email text)
RETURNS TABLE (user_id text, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.password_hash FROM users u WHERE lower(u.email) = lower(p_email)
$$;

-- The user id for an email, so a reset request can address its email (never returned to callers).
CREATE FUNCTION app_user_id_for_email(p_email text)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id FROM users u WHERE lower(u.email) = lower(p_email)
$$;

-- A pending, unexpired invitation by its token.
CREATE FUNCTION app_invite_for_token(p_token_hash bytea)
RETURNS TABLE (invite_id text, org_id text, email text, role org_role, status invite_status, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, i.org_id, i.email, i.role, i.status, i.expires_at FROM invites i WHERE i.token_hash = p_token_hash
$$;

-- A single-use token by its hash and purpose.
CREATE FUNCTION app_user_token(p_token_hash bytea, p_purpose token_purpose)
RETURNS TABLE (token_id text, user_id text, expires_at timestamptz, used_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, t.user_id, t.expires_at, t.used_at FROM user_tokens t
    WHERE t.token_hash = p_token_hash AND t.purpose = p_purpose
$$;

REVOKE EXECUTE ON FUNCTION app_session_for_token(bytea), app_session_touch(text, timestamptz),
    app_login_lookup(text), app_user_id_for_email(text), app_invite_for_token(bytea),
    app_user_token(bytea, token_purpose) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_session_for_token(bytea), app_session_touch(text, timestamptz),
    app_login_lookup(text), app_user_id_for_email(text), app_invite_for_token(bytea),
    app_user_token(bytea, token_purpose) TO blossom_app;
