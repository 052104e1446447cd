-- The append-only audit log (issue 10): who did what to which account or organization, when,
-- from where, and what changed. database/audit/README.md has the whole design.
--
-- Chains. Each organization's events form one hash chain (audit_log, a tenant table keyed by
-- org_id, so it distributes with the org's other rows), and account-level and administrator
-- events form two more (platform_audit_log, chain 'account' or 'admin'). Every row carries its
-- position in its chain (seq, from 1), the hash of the row before (prev_hash; 32 zero bytes for
-- the first) and its own hash: SHA-256 over prev_hash and a length-prefixed encoding of its
-- fields (app_audit_hash below; database/audit/verify.py recomputes it independently). A head
-- row per chain (audit_heads, platform_audit_heads) holds the chain's last seq and hash: writers
-- of one chain take turns on it (a row lock held to COMMIT), writers of different chains never
-- meet, and a deleted last row is detected because the head still names it.
--
-- No foreign keys: the log outlives the organizations, users and administrators it names
-- (deleting an org must not cascade into its history).
--
-- Least privilege: the request role may INSERT and SELECT the log tables (under RLS), never
-- UPDATE, DELETE or TRUNCATE them, and has no privilege on the heads. Rows are written by
-- app_audit_record, SECURITY DEFINER, one statement per event: it locks the chain's head,
-- computes the hash, inserts the row and advances the head, in the caller's transaction.
-- depends: 0017_tenant_keys_lead_with_org

-- One field of the hash input: its length in bytes (4, big-endian) then its UTF-8 bytes, or
-- ff ff ff ff for NULL. Unambiguous whatever the fields contain. STABLE, as convert_to is: an
-- IMMUTABLE wrapper around a STABLE function is never inlined, and inlined it costs a tenth.
CREATE FUNCTION app_audit_field(value text) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN '\xffffffff'::bytea
                ELSE int4send(octet_length(value)) || convert_to(value, 'UTF8') END
$$;

-- The hash of one row. Times enter as epoch microseconds and jsonb as its (canonical) text, so
-- the encoding depends on no session setting.
CREATE FUNCTION app_audit_hash(
    p_prev_hash bytea, p_chain text, p_seq bigint, p_id text, p_at timestamptz,
    p_actor_user_id text, p_actor_admin_id text, p_acting_as_user_id text,
    p_action text, p_target text, p_reason text, p_request_id text, p_client_address text,
    p_before jsonb, p_after jsonb
) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(
        p_prev_hash
        || app_audit_field('blossom-audit-v1')
        || app_audit_field(p_chain)
        || app_audit_field(p_seq::text)
        || app_audit_field(p_id)
        || app_audit_field((extract(epoch FROM p_at) * 1000000)::bigint::text)
        || app_audit_field(p_actor_user_id)
        || app_audit_field(p_actor_admin_id)
        || app_audit_field(p_acting_as_user_id)
        || app_audit_field(p_action)
        || app_audit_field(p_target)
        || app_audit_field(p_reason)
        || app_audit_field(p_request_id)
        || app_audit_field(p_client_address)
        || app_audit_field(p_before::text)
        || app_audit_field(p_after::text)
    )
$$;

-- An organization's chain.
CREATE TABLE audit_log (
    org_id text NOT NULL CHECK (org_id ~ '^org_[0-9a-hjkmnp-tv-z]{26}$'),
    id text NOT NULL DEFAULT app_new_id('aud') CHECK (id ~ '^aud_[0-9a-hjkmnp-tv-z]{26}$'),
    seq bigint NOT NULL CHECK (seq >= 1),
    at timestamptz NOT NULL,
    actor_user_id text CHECK (actor_user_id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'),
    actor_admin_id text CHECK (actor_admin_id ~ '^adm_[0-9a-hjkmnp-tv-z]{26}$'),
    acting_as_user_id text CHECK (acting_as_user_id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'),
    action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(action) <= 100),
    target text CHECK (length(target) <= 200),
    reason text CHECK (length(reason) <= 2000),
    request_id text CHECK (length(request_id) <= 200),
    client_address text CHECK (length(client_address) <= 100),
    before jsonb CHECK (octet_length(before::text) <= 16384),
    after jsonb CHECK (octet_length(after::text) <= 16384),
    prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, seq)  -- the chain's order; also what orgs.audit.list pages through
);

CREATE TABLE audit_heads (
    org_id text NOT NULL CHECK (org_id ~ '^org_[0-9a-hjkmnp-tv-z]{26}$'),
    id text NOT NULL DEFAULT app_new_id('audh') CHECK (id ~ '^audh_[0-9a-hjkmnp-tv-z]{26}$'),
    seq bigint NOT NULL CHECK (seq >= 0),  -- 0: created, its first row not yet written
    hash bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id)
);

-- The account chain (a user's own sign-up, logins, sessions, passwords, email) and the
-- administrators' chain (panopticon).
CREATE TABLE platform_audit_log (
    id text PRIMARY KEY DEFAULT app_new_id('aud') CHECK (id ~ '^aud_[0-9a-hjkmnp-tv-z]{26}$'),
    chain text NOT NULL CHECK (chain IN ('account', 'admin')),
    seq bigint NOT NULL CHECK (seq >= 1),
    at timestamptz NOT NULL,
    actor_user_id text CHECK (actor_user_id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'),
    actor_admin_id text CHECK (actor_admin_id ~ '^adm_[0-9a-hjkmnp-tv-z]{26}$'),
    acting_as_user_id text CHECK (acting_as_user_id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'),
    action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(action) <= 100),
    target text CHECK (length(target) <= 200),
    reason text CHECK (length(reason) <= 2000),
    request_id text CHECK (length(request_id) <= 200),
    client_address text CHECK (length(client_address) <= 100),
    before jsonb CHECK (octet_length(before::text) <= 16384),
    after jsonb CHECK (octet_length(after::text) <= 16384),
    prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash bytea NOT NULL CHECK (length(hash) = 32),
    UNIQUE (chain, seq)
);
-- A user's own history, and a panopticon user page's recent entries.
CREATE INDEX platform_audit_log_actor_user_id_idx ON platform_audit_log (actor_user_id, seq);

CREATE TABLE platform_audit_heads (
    id text PRIMARY KEY DEFAULT app_new_id('audh') CHECK (id ~ '^audh_[0-9a-hjkmnp-tv-z]{26}$'),
    chain text NOT NULL UNIQUE CHECK (chain IN ('account', 'admin')),
    seq bigint NOT NULL CHECK (seq >= 0),
    hash bytea NOT NULL CHECK (length(hash) = 32)
);

-- The default privileges (0001) gave the request role everything; take it back.
REVOKE ALL ON audit_log, audit_heads, platform_audit_log, platform_audit_heads FROM blossom_app;
-- Rows are written only through app_audit_record (EXECUTE below), which takes the chain's next
-- position and computes the hash: a hand-written INSERT could forge a link, name another user as
-- the actor, or take the next position and so stop every later write of the chain.
GRANT SELECT ON audit_log, platform_audit_log TO blossom_app;

-- An organization's rows: its members' transactions read them (orgs.audit.list narrows that to
-- owners and admins); app_audit_record writes only into their active organization's chain.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_tenant_read ON audit_log FOR SELECT
    USING (org_id = (SELECT app_current_org_id()));

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_heads_tenant ON audit_heads
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

-- The account chain holds every user's events: a transaction reads only its own user's
-- (what they did, or what was done acting as them). Administrators' events are panopticon's.
ALTER TABLE platform_audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_audit_log_own_read ON platform_audit_log FOR SELECT
    USING (chain = 'account' AND (SELECT app_current_user_id()) IN (actor_user_id, acting_as_user_id));
ALTER TABLE platform_audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_audit_heads FORCE ROW LEVEL SECURITY;

-- Record one event (id p_id) in the caller's transaction; its id. p_chain is an org id (that org's chain,
-- which must be the transaction's active organization, as RLS would demand of an INSERT) or
-- 'account' or 'admin'. The head's row lock serializes the chain's writers until COMMIT; a
-- chain's first event creates its head (a racing first writer waits on the head's unique key
-- until the other commits, then finds and locks the head).
CREATE FUNCTION app_audit_record(
    p_id text, p_chain text, p_at timestamptz,
    p_actor_user_id text, p_actor_admin_id text, p_acting_as_user_id text,
    p_action text, p_target text, p_reason text, p_request_id text, p_client_address text,
    p_before jsonb, p_after jsonb
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    genesis constant bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
    v_org boolean := p_chain LIKE 'org\_%';
    v_seq bigint;
    v_prev bytea;
    v_id text := p_id;  -- made by the caller (foundation.ids): app_new_id would cost a third of the call
    v_hash bytea;
BEGIN
    IF v_org THEN
        IF p_chain IS DISTINCT FROM app_current_org_id() THEN
            RAISE EXCEPTION 'an organization''s audit chain is written in that organization''s context'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT h.seq, h.hash INTO v_seq, v_prev FROM audit_heads h WHERE h.org_id = p_chain FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO audit_heads (org_id, seq, hash) VALUES (p_chain, 0, genesis) ON CONFLICT (org_id) DO NOTHING;
            SELECT h.seq, h.hash INTO v_seq, v_prev FROM audit_heads h WHERE h.org_id = p_chain FOR UPDATE;
        END IF;
    ELSIF p_chain IN ('account', 'admin') THEN
        -- Administrators' own events come from panopticon's role, never from the product's
        -- (blossom_app and its members: a request there cannot forge an administrator's history).
        IF p_chain = 'admin' AND pg_has_role(session_user, 'blossom_app', 'MEMBER') THEN
            RAISE EXCEPTION 'the product''s roles do not write the administrators'' audit chain'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT h.seq, h.hash INTO v_seq, v_prev FROM platform_audit_heads h WHERE h.chain = p_chain FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO platform_audit_heads (chain, seq, hash) VALUES (p_chain, 0, genesis)
                ON CONFLICT (chain) DO NOTHING;
            SELECT h.seq, h.hash INTO v_seq, v_prev FROM platform_audit_heads h WHERE h.chain = p_chain FOR UPDATE;
        END IF;
    ELSE
        RAISE EXCEPTION 'unknown audit chain %', p_chain USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_seq := v_seq + 1;
    v_hash := app_audit_hash(v_prev, p_chain, v_seq, v_id, p_at, p_actor_user_id, p_actor_admin_id,
                             p_acting_as_user_id, p_action, p_target, p_reason, p_request_id,
                             p_client_address, p_before, p_after);
    IF v_org THEN
        INSERT INTO audit_log (org_id, id, seq, at, actor_user_id, actor_admin_id, acting_as_user_id, action,
                               target, reason, request_id, client_address, before, after, prev_hash, hash)
        VALUES (p_chain, v_id, v_seq, p_at, p_actor_user_id, p_actor_admin_id, p_acting_as_user_id, p_action,
                p_target, p_reason, p_request_id, p_client_address, p_before, p_after, v_prev, v_hash);
        UPDATE audit_heads SET seq = v_seq, hash = v_hash WHERE org_id = p_chain;
    ELSE
        INSERT INTO platform_audit_log (id, chain, seq, at, actor_user_id, actor_admin_id, acting_as_user_id,
                                        action, target, reason, request_id, client_address, before, after,
                                        prev_hash, hash)
        VALUES (v_id, p_chain, v_seq, p_at, p_actor_user_id, p_actor_admin_id, p_acting_as_user_id, p_action,
                p_target, p_reason, p_request_id, p_client_address, p_before, p_after, v_prev, v_hash);
        UPDATE platform_audit_heads SET seq = v_seq, hash = v_hash WHERE chain = p_chain;
    END IF;
    RETURN v_id;
END
$$;
REVOKE EXECUTE ON FUNCTION app_audit_record(text, text, timestamptz, text, text, text, text, text, text, text,
                                            text, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_audit_record(text, text, timestamptz, text, text, text, text, text, text, text,
                                           text, jsonb, jsonb) TO blossom_app;
