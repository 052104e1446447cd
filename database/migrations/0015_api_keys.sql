-- API keys: organization keys (server-to-server, acting for one organization) and personal
-- access tokens (acting for the user who made them). Both are `bk_` tokens shown once; only the
-- SHA-256 of the token is stored (the token carries 256 random bits, so a fast unsalted hash is
-- as strong as a slow salted one and costs nothing per request). A lookup by token happens before
-- any tenant context exists, so it goes through a SECURITY DEFINER function that takes the hash
-- and returns only what authentication needs, as the session lookup does (0004).
-- depends: 0014_idempotency_retention

-- For servers managing their tenants (product/tenancy): an organization's slug (a label its
-- clients choose; Blossom's key stays the id, so it is not unique), and the organization that
-- provisioned an account (an account without a password, whose owner sets one by the reset
-- flow); only that organization may change the account's email or name.
ALTER TABLE orgs ADD COLUMN slug text CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63);
ALTER TABLE users ADD COLUMN managed_by_org text REFERENCES orgs (id) ON DELETE SET NULL;
CREATE INDEX users_managed_by_org_idx ON users (managed_by_org);
-- The provisioning organization creates, reads and updates the accounts it manages (also once
-- they are no longer its members, to add them back); nobody else's.
CREATE POLICY users_managed_insert ON users FOR INSERT
    WITH CHECK (managed_by_org = (SELECT app_current_org_id()));
CREATE POLICY users_managed_read ON users FOR SELECT
    USING (managed_by_org = (SELECT app_current_org_id()));
-- Only while the account has no password of its own ('!'): once its person has set one (through
-- the reset flow), it is theirs, and the organization that made it may no longer point its email
-- elsewhere (which would hand it, and every other organization of its person, to the org).
CREATE POLICY users_managed_update ON users FOR UPDATE
    USING (managed_by_org = (SELECT app_current_org_id()) AND password_hash = '!')
    WITH CHECK (managed_by_org = (SELECT app_current_org_id()));

CREATE TYPE api_key_scope AS ENUM ('read', 'write');

CREATE TABLE api_keys (
    id text NOT NULL DEFAULT app_new_id('key') CHECK (id ~ '^key_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scope api_key_scope NOT NULL,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    created_by text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz,
    PRIMARY KEY (org_id, id)
);
-- Not unique on purpose: a unique constraint would have to lead with org_id (Citus), and two
-- tokens of 256 random bits do not collide.
CREATE INDEX api_keys_token_hash_idx ON api_keys (token_hash);
CREATE INDEX api_keys_created_by_idx ON api_keys (created_by);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_tenant ON api_keys
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));
-- Keys are revoked, never deleted, by the app (an organization's deletion removes its keys).
REVOKE DELETE ON api_keys FROM blossom_app;

CREATE TABLE personal_access_tokens (
    id text PRIMARY KEY DEFAULT app_new_id('pat') CHECK (id ~ '^pat_[0-9a-hjkmnp-tv-z]{26}$'),
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scope api_key_scope NOT NULL,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz
);
CREATE INDEX personal_access_tokens_user_id_idx ON personal_access_tokens (user_id, created_at);

ALTER TABLE personal_access_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE personal_access_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY personal_access_tokens_own ON personal_access_tokens
    USING (user_id = (SELECT app_current_user_id()))
    WITH CHECK (user_id = (SELECT app_current_user_id()));
REVOKE DELETE ON personal_access_tokens FROM blossom_app;

-- The key a bearer token names, whichever kind: the user it acts as and that user's role in the
-- organization it acts in (an organization key's own; for a personal token, `p_org_id`, the
-- organization the call names, if the user belongs to it). Revoked keys are never returned.
CREATE FUNCTION app_api_key_for_token(p_token_hash bytea, p_org_id text)
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

-- Record a key's use at most once a minute: the caller asks only when the time it read is a
-- minute old, and the condition holds concurrent requests to one write.
CREATE FUNCTION app_api_key_touch(p_key_id text, p_org_id text, p_now timestamptz)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE api_keys SET last_used_at = p_now
    WHERE org_id = p_org_id AND id = p_key_id
      AND (last_used_at IS NULL OR last_used_at < p_now - interval '1 minute');
    UPDATE personal_access_tokens SET last_used_at = p_now
    WHERE p_org_id IS NULL AND id = p_key_id
      AND (last_used_at IS NULL OR last_used_at < p_now - interval '1 minute');
$$;

REVOKE EXECUTE ON FUNCTION app_api_key_for_token(bytea, text), app_api_key_touch(text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_api_key_for_token(bytea, text), app_api_key_touch(text, text, timestamptz)
    TO blossom_app;
