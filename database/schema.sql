-- Generated from database/migrations by `just migrate` (python -m tools.db schema). Do not edit.

--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: analytics; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA analytics;

--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA public;

--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA public IS 'standard public schema';

--
-- Name: admin_role; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.admin_role AS ENUM (
    'viewer',
    'support',
    'operator',
    'owner'
);

--
-- Name: api_key_scope; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.api_key_scope AS ENUM (
    'read',
    'write'
);

--
-- Name: connector_kind; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.connector_kind AS ENUM (
    'calendly',
    'square',
    'agendapro'
);

--
-- Name: conversation_channel; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.conversation_channel AS ENUM (
    'web',
    'widget',
    'api'
);

--
-- Name: conversation_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.conversation_status AS ENUM (
    'open',
    'closed'
);

--
-- Name: invite_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.invite_status AS ENUM (
    'pending',
    'accepted',
    'declined',
    'cancelled'
);

--
-- Name: message_role; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.message_role AS ENUM (
    'visitor',
    'assistant'
);

--
-- Name: org_role; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.org_role AS ENUM (
    'owner',
    'admin',
    'member'
);

--
-- Name: outbox_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.outbox_status AS ENUM (
    'pending',
    'delivered',
    'failed'
);

--
-- Name: token_purpose; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.token_purpose AS ENUM (
    'password_reset',
    'email_verification'
);

--
-- Name: workspace_tone; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.workspace_tone AS ENUM (
    'professional',
    'friendly',
    'concise'
);

--
-- Name: app_admins_keep_an_owner(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_admins_keep_an_owner() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

--
-- Name: app_api_key_for_token(bytea, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_api_key_for_token(p_token_hash bytea, p_org_id text) RETURNS TABLE(key_id text, personal boolean, user_id text, org_id text, role public.org_role, scope public.api_key_scope, expires_at timestamp with time zone, last_used_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

--
-- Name: app_api_key_touch(text, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_api_key_touch(p_key_id text, p_org_id text, p_now timestamp with time zone) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    UPDATE api_keys SET last_used_at = p_now
    WHERE org_id = p_org_id AND id = p_key_id
      AND (last_used_at IS NULL OR last_used_at < p_now - interval '1 minute');
    UPDATE personal_access_tokens SET last_used_at = p_now
    WHERE p_org_id IS NULL AND id = p_key_id
      AND (last_used_at IS NULL OR last_used_at < p_now - interval '1 minute');
$$;

--
-- Name: app_audit_field(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_audit_field(value text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN value IS NULL THEN '\xffffffff'::bytea
                ELSE int4send(octet_length(value)) || convert_to(value, 'UTF8') END
$$;

--
-- Name: app_audit_hash(bytea, text, bigint, text, timestamp with time zone, text, text, text, text, text, text, text, text, jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_audit_hash(p_prev_hash bytea, p_chain text, p_seq bigint, p_id text, p_at timestamp with time zone, p_actor_user_id text, p_actor_admin_id text, p_acting_as_user_id text, p_action text, p_target text, p_reason text, p_request_id text, p_client_address text, p_before jsonb, p_after jsonb) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
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

--
-- Name: app_audit_record(text, text, timestamp with time zone, text, text, text, text, text, text, text, text, jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_audit_record(p_id text, p_chain text, p_at timestamp with time zone, p_actor_user_id text, p_actor_admin_id text, p_acting_as_user_id text, p_action text, p_target text, p_reason text, p_request_id text, p_client_address text, p_before jsonb, p_after jsonb) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

--
-- Name: app_current_org_id(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_current_org_id() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT nullif(current_setting('app.org_id', true), '')
$$;

--
-- Name: app_current_user_id(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_current_user_id() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT nullif(current_setting('app.user_id', true), '')
$$;

--
-- Name: app_idempotency_claim(text, text, text, bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_idempotency_claim(p_scope text, p_route text, p_key text, p_body_hash bytea) RETURNS TABLE(claimed boolean, body_hash bytea, response bytea)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    DELETE FROM idempotency_keys k
    WHERE k.scope = p_scope AND k.route = p_route AND k.key = p_key AND k.expires_at <= now();
    RETURN QUERY
        INSERT INTO idempotency_keys AS k (scope, route, key, body_hash) VALUES (p_scope, p_route, p_key, p_body_hash)
        ON CONFLICT (scope, route, key) DO NOTHING
        RETURNING true, k.body_hash, k.response;
    IF NOT FOUND THEN
        RETURN QUERY
            SELECT false, k.body_hash, k.response FROM idempotency_keys k
            WHERE k.scope = p_scope AND k.route = p_route AND k.key = p_key;
    END IF;
END
$$;

--
-- Name: app_idempotency_complete(text, text, text, bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_idempotency_complete(p_scope text, p_route text, p_key text, p_response bytea) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH done AS (
        UPDATE idempotency_keys k SET response = p_response
        WHERE k.scope = p_scope AND k.route = p_route AND k.key = p_key AND k.response IS NULL
        RETURNING 1
    )
    SELECT count(*)::integer FROM done
$$;

--
-- Name: app_idempotency_prune(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_idempotency_prune(p_limit integer) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH gone AS (
        DELETE FROM idempotency_keys WHERE id IN (
            SELECT k.id FROM idempotency_keys k WHERE k.expires_at <= now() ORDER BY k.expires_at LIMIT p_limit
        )
        RETURNING 1
    )
    SELECT count(*)::integer FROM gone
$$;

--
-- Name: app_impersonation_end_sessions(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_impersonation_end_sessions(p_impersonation_id text) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH gone AS (DELETE FROM sessions WHERE impersonation_id = p_impersonation_id RETURNING 1)
    SELECT count(*)::integer FROM gone
$$;

--
-- Name: app_impersonation_redeem(bytea, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_impersonation_redeem(p_code_hash bytea, p_now timestamp with time zone) RETURNS TABLE(impersonation_id text, user_id text, admin_id text, admin_email text, writes boolean, expires_at timestamp with time zone)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    UPDATE impersonations i SET redeemed_at = p_now
    FROM admins a
    WHERE i.code_hash = p_code_hash AND i.redeemed_at IS NULL AND i.ended_at IS NULL
      AND i.code_expires_at > p_now AND i.expires_at > p_now
      AND a.id = i.admin_id AND a.disabled_at IS NULL
    RETURNING i.id, i.user_id, i.admin_id, a.email, i.writes, i.expires_at
$$;

--
-- Name: app_impersonation_target(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_impersonation_target(p_user_id text) RETURNS TABLE(user_id text, email text, is_admin boolean, disabled boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
            SELECT u.id, u.email, EXISTS (SELECT 1 FROM admins a WHERE lower(a.email) = lower(u.email)), u.disabled_at IS NOT NULL
            FROM users u WHERE u.id = p_user_id
        $$;

--
-- Name: app_invite_for_token(bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_invite_for_token(p_token_hash bytea) RETURNS TABLE(invite_id text, org_id text, email text, role public.org_role, status public.invite_status, expires_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT i.id, i.org_id, i.email, i.role, i.status, i.expires_at FROM invites i WHERE i.token_hash = p_token_hash
$$;

--
-- Name: app_login_lookup(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_login_lookup(p_email text) RETURNS TABLE(user_id text, password_hash text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT u.id, u.password_hash FROM users u WHERE lower(u.email) = lower(p_email) AND u.disabled_at IS NULL
$$;

--
-- Name: app_new_id(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_new_id(prefix text) RETURNS text
    LANGUAGE plpgsql PARALLEL SAFE
    AS $_$
DECLARE
    alphabet constant text := '0123456789abcdefghjkmnpqrstvwxyz';
    millis bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    -- 20 bytes from two v4 UUIDs, skipping the version and variant bytes (6 and 8).
    entropy bytea := substring(uuid_send(gen_random_uuid()) FROM 1 FOR 6)
        || substring(uuid_send(gen_random_uuid()) FROM 10 FOR 7)
        || substring(uuid_send(gen_random_uuid()) FROM 10 FOR 7);
    body text := '';
BEGIN
    IF prefix !~ '^[a-z]{2,8}$' THEN
        RAISE EXCEPTION 'id prefix must be 2-8 lowercase letters, got %', prefix;
    END IF;
    FOR i IN REVERSE 9..0 LOOP
        body := body || substr(alphabet, ((millis >> (5 * i)) & 31)::int + 1, 1);
    END LOOP;
    FOR i IN 0..15 LOOP
        body := body || substr(alphabet, (get_byte(entropy, i) & 31) + 1, 1);
    END LOOP;
    RETURN prefix || '_' || body;
END
$_$;

--
-- Name: app_org_keeps_an_owner(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_org_keeps_an_owner() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF OLD.role <> 'owner' OR (TG_OP = 'UPDATE' AND NEW.role = 'owner' AND NEW.org_id = OLD.org_id) THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM orgs WHERE id = OLD.org_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships WHERE org_id = OLD.org_id AND role = 'owner') THEN
        RAISE EXCEPTION 'organization % would be left without an owner', OLD.org_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'memberships_org_keeps_an_owner';
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: app_outbox_claim(timestamp with time zone, timestamp with time zone, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_outbox_claim(p_now timestamp with time zone, p_locked_until timestamp with time zone, p_limit integer) RETURNS TABLE(id text, kind text, payload jsonb, attempts integer)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    UPDATE outbox o
    SET attempts = o.attempts + 1, locked_until = p_locked_until
    FROM (
        SELECT d.id FROM outbox d
        WHERE d.status = 'pending' AND d.available_at <= p_now
          AND (d.locked_until IS NULL OR d.locked_until <= p_now)
        ORDER BY d.available_at, d.id
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    ) due
    WHERE o.id = due.id
    RETURNING o.id, o.kind, o.payload, o.attempts
$$;

--
-- Name: app_outbox_complete(text, integer, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_outbox_complete(p_id text, p_attempts integer, p_now timestamp with time zone) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH done AS (
        UPDATE outbox
        SET status = 'delivered', delivered_at = p_now, locked_until = NULL, payload = payload - 'body'
        WHERE id = p_id AND attempts = p_attempts AND status = 'pending'
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM done)
$$;

--
-- Name: app_outbox_fail(text, integer, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_outbox_fail(p_id text, p_attempts integer, p_error text, p_retry_at timestamp with time zone) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH done AS (
        UPDATE outbox
        SET status = CASE WHEN p_retry_at IS NULL THEN 'failed' ELSE 'pending' END::outbox_status,
            available_at = coalesce(p_retry_at, available_at),
            locked_until = NULL,
            last_error = left(p_error, 2000),
            payload = CASE WHEN p_retry_at IS NULL THEN payload - 'body' ELSE payload END
        WHERE id = p_id AND attempts = p_attempts AND status = 'pending'
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM done)
$$;

--
-- Name: app_outbox_prune(timestamp with time zone, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_outbox_prune(p_before timestamp with time zone, p_limit integer) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH gone AS (
        DELETE FROM outbox WHERE id IN (
            SELECT o.id FROM outbox o WHERE o.status <> 'pending' AND o.created_at < p_before
            ORDER BY o.created_at LIMIT p_limit
        )
        RETURNING 1
    )
    SELECT count(*)::integer FROM gone
$$;

--
-- Name: app_panopticon_enqueue_account_mail(text, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_panopticon_enqueue_account_mail(p_kind text, p_user_id text, p_now timestamp with time zone) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

--
-- Name: app_panopticon_lock_org(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_panopticon_lock_org(p_org_id text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM 1 FROM orgs WHERE id = p_org_id FOR NO KEY UPDATE;
    RETURN FOUND;
END
$$;

--
-- Name: app_release_expired_handle(text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_release_expired_handle(p_handle text, p_now timestamp with time zone) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH gone AS (
        DELETE FROM workspace_handles WHERE handle = p_handle AND expires_at IS NOT NULL AND expires_at <= p_now
        RETURNING 1
    )
    SELECT count(*)::integer FROM gone
$$;

--
-- Name: app_session_for_token(bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_session_for_token(p_token_hash bytea) RETURNS TABLE(session_id text, user_id text, active_org_id text, role public.org_role, last_seen_at timestamp with time zone, expires_at timestamp with time zone, impersonation_id text, impersonated_by text, read_only boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
            SELECT s.id, s.user_id, s.active_org_id, m.role, s.last_seen_at, s.expires_at,
                   s.impersonation_id, s.impersonated_by, s.read_only
            FROM sessions s
            JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL
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
        $$;

--
-- Name: app_session_touch(text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_session_touch(p_session_id text, p_now timestamp with time zone) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    UPDATE sessions SET last_seen_at = p_now
    WHERE id = p_session_id AND last_seen_at < p_now - interval '1 minute'
$$;

--
-- Name: app_session_unchanged(bytea, text, text, text, public.org_role, timestamp with time zone, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_session_unchanged(p_token_hash bytea, p_session_id text, p_user_id text, p_org_id text, p_role public.org_role, p_now timestamp with time zone, p_seen_after timestamp with time zone) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

--
-- Name: app_user_id_for_email(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_user_id_for_email(p_email text) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT u.id FROM users u WHERE lower(u.email) = lower(p_email)
$$;

--
-- Name: app_user_token(bytea, public.token_purpose); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_user_token(p_token_hash bytea, p_purpose public.token_purpose) RETURNS TABLE(token_id text, user_id text, expires_at timestamp with time zone, used_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT t.id, t.user_id, t.expires_at, t.used_at FROM user_tokens t
    WHERE t.token_hash = p_token_hash AND t.purpose = p_purpose
$$;

--
-- Name: app_visitor_conversation(text, bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_visitor_conversation(p_conversation_id text, p_token_hash bytea) RETURNS TABLE(conversation_id text, org_id text, workspace_id text, status public.conversation_status)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT c.id, c.org_id, c.workspace_id, c.status FROM conversations c
    WHERE c.id = p_conversation_id AND c.visitor_token_hash = p_token_hash
$$;

--
-- Name: app_workspace_for_handle(text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_workspace_for_handle(p_handle text, p_now timestamp with time zone) RETURNS TABLE(workspace_id text, org_id text, current_handle text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT h.workspace_id, h.org_id, c.handle
    FROM workspace_handles h
    JOIN workspace_handles c ON c.org_id = h.org_id AND c.workspace_id = h.workspace_id AND c.expires_at IS NULL
    WHERE h.handle = p_handle AND (h.expires_at IS NULL OR h.expires_at > p_now)
$$;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: org_daily_activity; Type: TABLE; Schema: analytics; Owner: -
--

CREATE TABLE analytics.org_daily_activity (
    id text DEFAULT public.app_new_id('oda'::text) NOT NULL,
    org_id text NOT NULL,
    day date NOT NULL,
    signups integer NOT NULL,
    logins integer NOT NULL,
    active_members integer NOT NULL,
    invites_sent integer NOT NULL,
    invites_accepted integer NOT NULL,
    materialized_at timestamp with time zone NOT NULL,
    CONSTRAINT org_daily_activity_id_check CHECK ((id ~ '^oda_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY analytics.org_daily_activity FORCE ROW LEVEL SECURITY;

--
-- Name: org_summaries; Type: TABLE; Schema: analytics; Owner: -
--

CREATE TABLE analytics.org_summaries (
    id text DEFAULT public.app_new_id('osm'::text) NOT NULL,
    org_id text NOT NULL,
    week_start date NOT NULL,
    summary text NOT NULL,
    model text NOT NULL,
    materialized_at timestamp with time zone NOT NULL,
    CONSTRAINT org_summaries_id_check CHECK ((id ~ '^osm_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT org_summaries_summary_check CHECK (((length(summary) >= 1) AND (length(summary) <= 4000)))
);

ALTER TABLE ONLY analytics.org_summaries FORCE ROW LEVEL SECURITY;

--
-- Name: signup_funnel; Type: TABLE; Schema: analytics; Owner: -
--

CREATE TABLE analytics.signup_funnel (
    id text DEFAULT public.app_new_id('suf'::text) NOT NULL,
    step_order integer NOT NULL,
    step text NOT NULL,
    users integer NOT NULL,
    materialized_at timestamp with time zone NOT NULL,
    CONSTRAINT signup_funnel_id_check CHECK ((id ~ '^suf_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

--
-- Name: admin_enrolment_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.admin_enrolment_tokens (
    id text DEFAULT public.app_new_id('ade'::text) NOT NULL,
    admin_id text NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    CONSTRAINT admin_enrolment_tokens_id_check CHECK ((id ~ '^ade_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT admin_enrolment_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY public.admin_enrolment_tokens FORCE ROW LEVEL SECURITY;

--
-- Name: admin_rate_limits; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.admin_rate_limits (
    id text DEFAULT public.app_new_id('adl'::text) NOT NULL,
    bucket bytea NOT NULL,
    window_start timestamp with time zone NOT NULL,
    hits integer DEFAULT 1 NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT admin_rate_limits_bucket_check CHECK ((length(bucket) = 32)),
    CONSTRAINT admin_rate_limits_id_check CHECK ((id ~ '^adl_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.admin_rate_limits FORCE ROW LEVEL SECURITY;

--
-- Name: admin_recovery_codes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.admin_recovery_codes (
    id text DEFAULT public.app_new_id('adr'::text) NOT NULL,
    admin_id text NOT NULL,
    code_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    used_at timestamp with time zone,
    CONSTRAINT admin_recovery_codes_code_hash_check CHECK ((length(code_hash) = 32)),
    CONSTRAINT admin_recovery_codes_id_check CHECK ((id ~ '^adr_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.admin_recovery_codes FORCE ROW LEVEL SECURITY;

--
-- Name: admin_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.admin_sessions (
    id text DEFAULT public.app_new_id('ads'::text) NOT NULL,
    admin_id text NOT NULL,
    token_hash bytea NOT NULL,
    user_agent text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_seen_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT admin_sessions_id_check CHECK ((id ~ '^ads_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT admin_sessions_token_hash_check CHECK ((length(token_hash) = 32)),
    CONSTRAINT admin_sessions_user_agent_check CHECK ((length(user_agent) <= 500))
);

ALTER TABLE ONLY public.admin_sessions FORCE ROW LEVEL SECURITY;

--
-- Name: admins; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.admins (
    id text DEFAULT public.app_new_id('adm'::text) NOT NULL,
    email text NOT NULL,
    role public.admin_role NOT NULL,
    password_hash text,
    totp_secret_encrypted bytea,
    totp_last_step bigint,
    enrolment_state text DEFAULT 'invited'::text NOT NULL,
    enrolled_at timestamp with time zone,
    disabled_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT admins_check CHECK (((enrolment_state = 'active'::text) = (enrolled_at IS NOT NULL))),
    CONSTRAINT admins_check1 CHECK (((enrolment_state = 'invited'::text) OR ((password_hash IS NOT NULL) AND (totp_secret_encrypted IS NOT NULL)))),
    CONSTRAINT admins_email_check CHECK (((email ~~ '%_@_%'::text) AND (length(email) <= 320))),
    CONSTRAINT admins_enrolment_state_check CHECK ((enrolment_state = ANY (ARRAY['invited'::text, 'pending_totp'::text, 'active'::text]))),
    CONSTRAINT admins_id_check CHECK ((id ~ '^adm_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.admins FORCE ROW LEVEL SECURITY;

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id text DEFAULT public.app_new_id('key'::text) NOT NULL,
    org_id text NOT NULL,
    name text NOT NULL,
    scope public.api_key_scope NOT NULL,
    token_hash bytea NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    CONSTRAINT api_keys_id_check CHECK ((id ~ '^key_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT api_keys_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100))),
    CONSTRAINT api_keys_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY public.api_keys FORCE ROW LEVEL SECURITY;

--
-- Name: audit_heads; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_heads (
    org_id text NOT NULL,
    id text DEFAULT public.app_new_id('audh'::text) NOT NULL,
    seq bigint NOT NULL,
    hash bytea NOT NULL,
    CONSTRAINT audit_heads_hash_check CHECK ((length(hash) = 32)),
    CONSTRAINT audit_heads_id_check CHECK ((id ~ '^audh_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT audit_heads_org_id_check CHECK ((org_id ~ '^org_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT audit_heads_seq_check CHECK ((seq >= 0))
);

ALTER TABLE ONLY public.audit_heads FORCE ROW LEVEL SECURITY;

--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    org_id text NOT NULL,
    id text DEFAULT public.app_new_id('aud'::text) NOT NULL,
    seq bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    actor_user_id text,
    actor_admin_id text,
    acting_as_user_id text,
    action text NOT NULL,
    target text,
    reason text,
    request_id text,
    client_address text,
    before jsonb,
    after jsonb,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL,
    CONSTRAINT audit_log_acting_as_user_id_check CHECK ((acting_as_user_id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT audit_log_action_check CHECK (((action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'::text) AND (length(action) <= 100))),
    CONSTRAINT audit_log_actor_admin_id_check CHECK ((actor_admin_id ~ '^adm_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT audit_log_actor_user_id_check CHECK ((actor_user_id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT audit_log_after_check CHECK ((octet_length((after)::text) <= 16384)),
    CONSTRAINT audit_log_before_check CHECK ((octet_length((before)::text) <= 16384)),
    CONSTRAINT audit_log_client_address_check CHECK ((length(client_address) <= 100)),
    CONSTRAINT audit_log_hash_check CHECK ((length(hash) = 32)),
    CONSTRAINT audit_log_id_check CHECK ((id ~ '^aud_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT audit_log_org_id_check CHECK ((org_id ~ '^org_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT audit_log_prev_hash_check CHECK ((length(prev_hash) = 32)),
    CONSTRAINT audit_log_reason_check CHECK ((length(reason) <= 2000)),
    CONSTRAINT audit_log_request_id_check CHECK ((length(request_id) <= 200)),
    CONSTRAINT audit_log_seq_check CHECK ((seq >= 1)),
    CONSTRAINT audit_log_target_check CHECK ((length(target) <= 200))
);

ALTER TABLE ONLY public.audit_log FORCE ROW LEVEL SECURITY;

--
-- Name: chat_streams; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chat_streams (
    id text DEFAULT public.app_new_id('cst'::text) NOT NULL,
    org_id text NOT NULL,
    workspace_id text NOT NULL,
    conversation_id text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT chat_streams_id_check CHECK ((id ~ '^cst_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.chat_streams FORCE ROW LEVEL SECURITY;

--
-- Name: connectors; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.connectors (
    id text DEFAULT public.app_new_id('con'::text) NOT NULL,
    org_id text NOT NULL,
    workspace_id text NOT NULL,
    kind public.connector_kind NOT NULL,
    config jsonb NOT NULL,
    active boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT connectors_check CHECK (((config ->> 'type'::text) = (kind)::text)),
    CONSTRAINT connectors_id_check CHECK ((id ~ '^con_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.connectors FORCE ROW LEVEL SECURITY;

--
-- Name: conversations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversations (
    id text DEFAULT public.app_new_id('cnv'::text) NOT NULL,
    org_id text NOT NULL,
    workspace_id text NOT NULL,
    channel public.conversation_channel DEFAULT 'web'::public.conversation_channel NOT NULL,
    status public.conversation_status DEFAULT 'open'::public.conversation_status NOT NULL,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    visitor_token_hash bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    closed_at timestamp with time zone,
    CONSTRAINT conversations_id_check CHECK ((id ~ '^cnv_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT conversations_tags_check CHECK ((cardinality(tags) <= 20))
);

ALTER TABLE ONLY public.conversations FORCE ROW LEVEL SECURITY;

--
-- Name: graph_node_types; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.graph_node_types (
    id text DEFAULT public.app_new_id('nty'::text) NOT NULL,
    org_id text NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    schema jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT graph_node_types_description_check CHECK ((length(description) <= 2000)),
    CONSTRAINT graph_node_types_id_check CHECK ((id ~ '^nty_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT graph_node_types_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100))),
    CONSTRAINT graph_node_types_schema_check CHECK (((jsonb_typeof(schema) = ANY (ARRAY['object'::text, 'boolean'::text])) AND (octet_length((schema)::text) <= 131072)))
);

ALTER TABLE ONLY public.graph_node_types FORCE ROW LEVEL SECURITY;

--
-- Name: graph_nodes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.graph_nodes (
    id text DEFAULT public.app_new_id('nod'::text) NOT NULL,
    org_id text NOT NULL,
    node_type_id text NOT NULL,
    data jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT graph_nodes_data_check CHECK (((jsonb_typeof(data) = 'object'::text) AND (octet_length((data)::text) <= 131072))),
    CONSTRAINT graph_nodes_id_check CHECK ((id ~ '^nod_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.graph_nodes FORCE ROW LEVEL SECURITY;

--
-- Name: graph_relationships; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.graph_relationships (
    id text DEFAULT public.app_new_id('rel'::text) NOT NULL,
    org_id text NOT NULL,
    source_id text NOT NULL,
    target_id text NOT NULL,
    type text NOT NULL,
    data jsonb,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT graph_relationships_data_check CHECK (((data IS NULL) OR ((jsonb_typeof(data) = 'object'::text) AND (octet_length((data)::text) <= 131072)))),
    CONSTRAINT graph_relationships_id_check CHECK ((id ~ '^rel_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT graph_relationships_type_check CHECK (((length(type) >= 1) AND (length(type) <= 100)))
);

ALTER TABLE ONLY public.graph_relationships FORCE ROW LEVEL SECURITY;

--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    id text DEFAULT public.app_new_id('idk'::text) NOT NULL,
    scope text NOT NULL,
    route text NOT NULL,
    key text NOT NULL,
    body_hash bytea NOT NULL,
    response bytea,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone DEFAULT (now() + '24:00:00'::interval) NOT NULL,
    CONSTRAINT idempotency_keys_id_check CHECK ((id ~ '^idk_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT idempotency_keys_key_check CHECK (((length(key) >= 1) AND (length(key) <= 200))),
    CONSTRAINT idempotency_keys_route_check CHECK ((length(route) <= 200)),
    CONSTRAINT idempotency_keys_scope_check CHECK ((length(scope) <= 200))
);

--
-- Name: impersonations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.impersonations (
    id text DEFAULT public.app_new_id('imp'::text) NOT NULL,
    admin_id text NOT NULL,
    user_id text NOT NULL,
    reason text NOT NULL,
    writes boolean NOT NULL,
    code_hash bytea NOT NULL,
    code_expires_at timestamp with time zone NOT NULL,
    redeemed_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    CONSTRAINT impersonations_check CHECK (((expires_at > created_at) AND (expires_at <= (created_at + '01:00:00'::interval)))),
    CONSTRAINT impersonations_check1 CHECK ((code_expires_at <= expires_at)),
    CONSTRAINT impersonations_code_hash_check CHECK ((length(code_hash) = 32)),
    CONSTRAINT impersonations_id_check CHECK ((id ~ '^imp_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT impersonations_reason_check CHECK (((length(btrim(reason)) > 0) AND (length(reason) <= 500)))
);

ALTER TABLE ONLY public.impersonations FORCE ROW LEVEL SECURITY;

--
-- Name: invites; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invites (
    id text DEFAULT public.app_new_id('inv'::text) NOT NULL,
    org_id text NOT NULL,
    email text NOT NULL,
    role public.org_role NOT NULL,
    token_hash bytea NOT NULL,
    invited_by text,
    status public.invite_status DEFAULT 'pending'::public.invite_status NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT invites_email_check CHECK ((email ~~ '%_@_%'::text)),
    CONSTRAINT invites_id_check CHECK ((id ~ '^inv_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT invites_role_check CHECK ((role <> 'owner'::public.org_role)),
    CONSTRAINT invites_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY public.invites FORCE ROW LEVEL SECURITY;

--
-- Name: memberships; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memberships (
    id text DEFAULT public.app_new_id('mem'::text) NOT NULL,
    org_id text NOT NULL,
    user_id text NOT NULL,
    role public.org_role NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT memberships_id_check CHECK ((id ~ '^mem_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.memberships FORCE ROW LEVEL SECURITY;

--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    id text DEFAULT public.app_new_id('msg'::text) NOT NULL,
    org_id text NOT NULL,
    conversation_id text NOT NULL,
    role public.message_role NOT NULL,
    content text NOT NULL,
    tool_calls jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT messages_content_check CHECK ((length(content) <= 20000)),
    CONSTRAINT messages_id_check CHECK ((id ~ '^msg_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.messages FORCE ROW LEVEL SECURITY;

--
-- Name: org_notes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.org_notes (
    id text DEFAULT public.app_new_id('note'::text) NOT NULL,
    org_id text NOT NULL,
    author_id text,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT org_notes_body_check CHECK (((length(body) >= 1) AND (length(body) <= 10000))),
    CONSTRAINT org_notes_id_check CHECK ((id ~ '^note_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.org_notes FORCE ROW LEVEL SECURITY;

--
-- Name: orgs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orgs (
    id text DEFAULT public.app_new_id('org'::text) NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    slug text,
    CONSTRAINT orgs_id_check CHECK ((id ~ '^org_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT orgs_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT orgs_slug_check CHECK (((slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text) AND (length(slug) <= 63)))
);

ALTER TABLE ONLY public.orgs FORCE ROW LEVEL SECURITY;

--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    id text DEFAULT public.app_new_id('obx'::text) NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    status public.outbox_status DEFAULT 'pending'::public.outbox_status NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    available_at timestamp with time zone NOT NULL,
    locked_until timestamp with time zone,
    last_error text,
    created_at timestamp with time zone NOT NULL,
    delivered_at timestamp with time zone,
    CONSTRAINT outbox_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT outbox_id_check CHECK ((id ~ '^obx_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT outbox_kind_check CHECK ((kind ~ '^[a-z][a-z0-9_]*$'::text))
);

--
-- Name: personal_access_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.personal_access_tokens (
    id text DEFAULT public.app_new_id('pat'::text) NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    scope public.api_key_scope NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    CONSTRAINT personal_access_tokens_id_check CHECK ((id ~ '^pat_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT personal_access_tokens_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100))),
    CONSTRAINT personal_access_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY public.personal_access_tokens FORCE ROW LEVEL SECURITY;

--
-- Name: platform_audit_heads; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.platform_audit_heads (
    id text DEFAULT public.app_new_id('audh'::text) NOT NULL,
    chain text NOT NULL,
    seq bigint NOT NULL,
    hash bytea NOT NULL,
    CONSTRAINT platform_audit_heads_chain_check CHECK ((chain = ANY (ARRAY['account'::text, 'admin'::text]))),
    CONSTRAINT platform_audit_heads_hash_check CHECK ((length(hash) = 32)),
    CONSTRAINT platform_audit_heads_id_check CHECK ((id ~ '^audh_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT platform_audit_heads_seq_check CHECK ((seq >= 0))
);

ALTER TABLE ONLY public.platform_audit_heads FORCE ROW LEVEL SECURITY;

--
-- Name: platform_audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.platform_audit_log (
    id text DEFAULT public.app_new_id('aud'::text) NOT NULL,
    chain text NOT NULL,
    seq bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    actor_user_id text,
    actor_admin_id text,
    acting_as_user_id text,
    action text NOT NULL,
    target text,
    reason text,
    request_id text,
    client_address text,
    before jsonb,
    after jsonb,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL,
    CONSTRAINT platform_audit_log_acting_as_user_id_check CHECK ((acting_as_user_id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT platform_audit_log_action_check CHECK (((action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'::text) AND (length(action) <= 100))),
    CONSTRAINT platform_audit_log_actor_admin_id_check CHECK ((actor_admin_id ~ '^adm_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT platform_audit_log_actor_user_id_check CHECK ((actor_user_id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT platform_audit_log_after_check CHECK ((octet_length((after)::text) <= 16384)),
    CONSTRAINT platform_audit_log_before_check CHECK ((octet_length((before)::text) <= 16384)),
    CONSTRAINT platform_audit_log_chain_check CHECK ((chain = ANY (ARRAY['account'::text, 'admin'::text]))),
    CONSTRAINT platform_audit_log_client_address_check CHECK ((length(client_address) <= 100)),
    CONSTRAINT platform_audit_log_hash_check CHECK ((length(hash) = 32)),
    CONSTRAINT platform_audit_log_id_check CHECK ((id ~ '^aud_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT platform_audit_log_prev_hash_check CHECK ((length(prev_hash) = 32)),
    CONSTRAINT platform_audit_log_reason_check CHECK ((length(reason) <= 2000)),
    CONSTRAINT platform_audit_log_request_id_check CHECK ((length(request_id) <= 200)),
    CONSTRAINT platform_audit_log_seq_check CHECK ((seq >= 1)),
    CONSTRAINT platform_audit_log_target_check CHECK ((length(target) <= 200))
);

ALTER TABLE ONLY public.platform_audit_log FORCE ROW LEVEL SECURITY;

--
-- Name: rate_limits; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.rate_limits (
    id text DEFAULT public.app_new_id('rl'::text) NOT NULL,
    bucket bytea NOT NULL,
    window_start timestamp with time zone NOT NULL,
    hits integer DEFAULT 1 NOT NULL,
    expires_at timestamp with time zone DEFAULT (now() + '61 days'::interval) NOT NULL,
    CONSTRAINT rate_limits_bucket_check CHECK ((length(bucket) = 32)),
    CONSTRAINT rate_limits_id_check CHECK ((id ~ '^rl_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

--
-- Name: services; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.services (
    id text DEFAULT public.app_new_id('svc'::text) NOT NULL,
    org_id text NOT NULL,
    workspace_id text NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    duration_minutes integer NOT NULL,
    price numeric(12,2) NOT NULL,
    currency text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    display_order integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT services_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT services_description_check CHECK ((length(description) <= 2000)),
    CONSTRAINT services_duration_minutes_check CHECK (((duration_minutes >= 1) AND (duration_minutes <= 1440))),
    CONSTRAINT services_id_check CHECK ((id ~ '^svc_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT services_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT services_price_check CHECK ((price >= (0)::numeric))
);

ALTER TABLE ONLY public.services FORCE ROW LEVEL SECURITY;

--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id text DEFAULT public.app_new_id('ses'::text) NOT NULL,
    user_id text NOT NULL,
    token_hash bytea NOT NULL,
    active_org_id text,
    user_agent text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    impersonation_id text,
    impersonated_by text,
    impersonator_email text,
    read_only boolean DEFAULT false NOT NULL,
    CONSTRAINT sessions_id_check CHECK ((id ~ '^ses_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT sessions_impersonated_by_check CHECK ((impersonated_by ~ '^adm_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT sessions_impersonation_whole CHECK ((((impersonation_id IS NULL) = (impersonated_by IS NULL)) AND ((impersonation_id IS NULL) = (impersonator_email IS NULL)) AND ((impersonation_id IS NOT NULL) OR (NOT read_only)))),
    CONSTRAINT sessions_impersonator_email_check CHECK ((length(impersonator_email) <= 320)),
    CONSTRAINT sessions_token_hash_check CHECK ((length(token_hash) = 32)),
    CONSTRAINT sessions_user_agent_check CHECK ((length(user_agent) <= 500))
);

ALTER TABLE ONLY public.sessions FORCE ROW LEVEL SECURITY;

--
-- Name: user_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_tokens (
    id text DEFAULT public.app_new_id('tok'::text) NOT NULL,
    user_id text NOT NULL,
    purpose public.token_purpose NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    CONSTRAINT user_tokens_id_check CHECK ((id ~ '^tok_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT user_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY public.user_tokens FORCE ROW LEVEL SECURITY;

--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id text DEFAULT public.app_new_id('usr'::text) NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    password_hash text NOT NULL,
    email_verified_at timestamp with time zone,
    managed_by_org text,
    disabled_at timestamp with time zone,
    CONSTRAINT users_display_name_check CHECK (((length(display_name) >= 1) AND (length(display_name) <= 200))),
    CONSTRAINT users_email_check CHECK ((email ~~ '%_@_%'::text)),
    CONSTRAINT users_id_check CHECK ((id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.users FORCE ROW LEVEL SECURITY;

--
-- Name: workspace_handles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workspace_handles (
    id text DEFAULT public.app_new_id('wsh'::text) NOT NULL,
    org_id text NOT NULL,
    workspace_id text NOT NULL,
    handle text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone,
    CONSTRAINT workspace_handles_handle_check CHECK ((((length(handle) >= 3) AND (length(handle) <= 40)) AND (handle ~ '^[a-z0-9]+(?:-[a-z0-9]+)*$'::text))),
    CONSTRAINT workspace_handles_id_check CHECK ((id ~ '^wsh_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.workspace_handles FORCE ROW LEVEL SECURITY;

--
-- Name: workspaces; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workspaces (
    id text DEFAULT public.app_new_id('wsp'::text) NOT NULL,
    org_id text NOT NULL,
    display_name text NOT NULL,
    tone public.workspace_tone DEFAULT 'friendly'::public.workspace_tone NOT NULL,
    timezone text DEFAULT 'UTC'::text NOT NULL,
    knowledge_base text DEFAULT ''::text NOT NULL,
    tagline text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT workspaces_display_name_check CHECK (((length(display_name) >= 1) AND (length(display_name) <= 200))),
    CONSTRAINT workspaces_id_check CHECK ((id ~ '^wsp_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT workspaces_knowledge_base_check CHECK ((length(knowledge_base) <= 20000)),
    CONSTRAINT workspaces_tagline_check CHECK ((length(tagline) <= 200)),
    CONSTRAINT workspaces_timezone_check CHECK (((length(timezone) >= 1) AND (length(timezone) <= 64)))
);

ALTER TABLE ONLY public.workspaces FORCE ROW LEVEL SECURITY;

--
-- Name: org_daily_activity org_daily_activity_org_id_day_key; Type: CONSTRAINT; Schema: analytics; Owner: -
--

ALTER TABLE ONLY analytics.org_daily_activity
    ADD CONSTRAINT org_daily_activity_org_id_day_key UNIQUE (org_id, day);

--
-- Name: org_daily_activity org_daily_activity_pkey; Type: CONSTRAINT; Schema: analytics; Owner: -
--

ALTER TABLE ONLY analytics.org_daily_activity
    ADD CONSTRAINT org_daily_activity_pkey PRIMARY KEY (org_id, id);

--
-- Name: org_summaries org_summaries_org_id_week_start_key; Type: CONSTRAINT; Schema: analytics; Owner: -
--

ALTER TABLE ONLY analytics.org_summaries
    ADD CONSTRAINT org_summaries_org_id_week_start_key UNIQUE (org_id, week_start);

--
-- Name: org_summaries org_summaries_pkey; Type: CONSTRAINT; Schema: analytics; Owner: -
--

ALTER TABLE ONLY analytics.org_summaries
    ADD CONSTRAINT org_summaries_pkey PRIMARY KEY (org_id, id);

--
-- Name: signup_funnel signup_funnel_pkey; Type: CONSTRAINT; Schema: analytics; Owner: -
--

ALTER TABLE ONLY analytics.signup_funnel
    ADD CONSTRAINT signup_funnel_pkey PRIMARY KEY (id);

--
-- Name: signup_funnel signup_funnel_step_order_key; Type: CONSTRAINT; Schema: analytics; Owner: -
--

ALTER TABLE ONLY analytics.signup_funnel
    ADD CONSTRAINT signup_funnel_step_order_key UNIQUE (step_order);

--
-- Name: admin_enrolment_tokens admin_enrolment_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_enrolment_tokens
    ADD CONSTRAINT admin_enrolment_tokens_pkey PRIMARY KEY (id);

--
-- Name: admin_enrolment_tokens admin_enrolment_tokens_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_enrolment_tokens
    ADD CONSTRAINT admin_enrolment_tokens_token_hash_key UNIQUE (token_hash);

--
-- Name: admin_rate_limits admin_rate_limits_bucket_window_start_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_rate_limits
    ADD CONSTRAINT admin_rate_limits_bucket_window_start_key UNIQUE (bucket, window_start);

--
-- Name: admin_rate_limits admin_rate_limits_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_rate_limits
    ADD CONSTRAINT admin_rate_limits_pkey PRIMARY KEY (id);

--
-- Name: admin_recovery_codes admin_recovery_codes_admin_id_code_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_recovery_codes
    ADD CONSTRAINT admin_recovery_codes_admin_id_code_hash_key UNIQUE (admin_id, code_hash);

--
-- Name: admin_recovery_codes admin_recovery_codes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_recovery_codes
    ADD CONSTRAINT admin_recovery_codes_pkey PRIMARY KEY (id);

--
-- Name: admin_sessions admin_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_sessions
    ADD CONSTRAINT admin_sessions_pkey PRIMARY KEY (id);

--
-- Name: admin_sessions admin_sessions_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_sessions
    ADD CONSTRAINT admin_sessions_token_hash_key UNIQUE (token_hash);

--
-- Name: admins admins_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admins
    ADD CONSTRAINT admins_pkey PRIMARY KEY (id);

--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (org_id, id);

--
-- Name: audit_heads audit_heads_org_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_heads
    ADD CONSTRAINT audit_heads_org_id_key UNIQUE (org_id);

--
-- Name: audit_heads audit_heads_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_heads
    ADD CONSTRAINT audit_heads_pkey PRIMARY KEY (org_id, id);

--
-- Name: audit_log audit_log_org_id_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_org_id_seq_key UNIQUE (org_id, seq);

--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (org_id, id);

--
-- Name: chat_streams chat_streams_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chat_streams
    ADD CONSTRAINT chat_streams_pkey PRIMARY KEY (org_id, id);

--
-- Name: connectors connectors_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.connectors
    ADD CONSTRAINT connectors_pkey PRIMARY KEY (org_id, id);

--
-- Name: conversations conversations_org_id_visitor_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_org_id_visitor_token_hash_key UNIQUE (org_id, visitor_token_hash);

--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (org_id, id);

--
-- Name: graph_node_types graph_node_types_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_node_types
    ADD CONSTRAINT graph_node_types_name_key UNIQUE (org_id, name);

--
-- Name: graph_node_types graph_node_types_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_node_types
    ADD CONSTRAINT graph_node_types_pkey PRIMARY KEY (org_id, id);

--
-- Name: graph_nodes graph_nodes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_nodes
    ADD CONSTRAINT graph_nodes_pkey PRIMARY KEY (org_id, id);

--
-- Name: graph_relationships graph_relationships_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_relationships
    ADD CONSTRAINT graph_relationships_pkey PRIMARY KEY (org_id, id);

--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (id);

--
-- Name: idempotency_keys idempotency_keys_scope_route_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_scope_route_key_key UNIQUE (scope, route, key);

--
-- Name: impersonations impersonations_code_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.impersonations
    ADD CONSTRAINT impersonations_code_hash_key UNIQUE (code_hash);

--
-- Name: impersonations impersonations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.impersonations
    ADD CONSTRAINT impersonations_pkey PRIMARY KEY (id);

--
-- Name: invites invites_org_id_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_org_id_token_hash_key UNIQUE (org_id, token_hash);

--
-- Name: invites invites_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_pkey PRIMARY KEY (org_id, id);

--
-- Name: memberships memberships_org_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_org_id_user_id_key UNIQUE (org_id, user_id);

--
-- Name: memberships memberships_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (org_id, id);

--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (org_id, id);

--
-- Name: org_notes org_notes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.org_notes
    ADD CONSTRAINT org_notes_pkey PRIMARY KEY (org_id, id);

--
-- Name: orgs orgs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgs
    ADD CONSTRAINT orgs_pkey PRIMARY KEY (id);

--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);

--
-- Name: personal_access_tokens personal_access_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.personal_access_tokens
    ADD CONSTRAINT personal_access_tokens_pkey PRIMARY KEY (id);

--
-- Name: personal_access_tokens personal_access_tokens_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.personal_access_tokens
    ADD CONSTRAINT personal_access_tokens_token_hash_key UNIQUE (token_hash);

--
-- Name: platform_audit_heads platform_audit_heads_chain_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.platform_audit_heads
    ADD CONSTRAINT platform_audit_heads_chain_key UNIQUE (chain);

--
-- Name: platform_audit_heads platform_audit_heads_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.platform_audit_heads
    ADD CONSTRAINT platform_audit_heads_pkey PRIMARY KEY (id);

--
-- Name: platform_audit_log platform_audit_log_chain_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.platform_audit_log
    ADD CONSTRAINT platform_audit_log_chain_seq_key UNIQUE (chain, seq);

--
-- Name: platform_audit_log platform_audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.platform_audit_log
    ADD CONSTRAINT platform_audit_log_pkey PRIMARY KEY (id);

--
-- Name: rate_limits rate_limits_bucket_window_start_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rate_limits
    ADD CONSTRAINT rate_limits_bucket_window_start_key UNIQUE (bucket, window_start);

--
-- Name: rate_limits rate_limits_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rate_limits
    ADD CONSTRAINT rate_limits_pkey PRIMARY KEY (id);

--
-- Name: services services_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.services
    ADD CONSTRAINT services_pkey PRIMARY KEY (org_id, id);

--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

--
-- Name: sessions sessions_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_token_hash_key UNIQUE (token_hash);

--
-- Name: user_tokens user_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_tokens
    ADD CONSTRAINT user_tokens_pkey PRIMARY KEY (id);

--
-- Name: user_tokens user_tokens_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_tokens
    ADD CONSTRAINT user_tokens_token_hash_key UNIQUE (token_hash);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

--
-- Name: workspace_handles workspace_handles_handle_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspace_handles
    ADD CONSTRAINT workspace_handles_handle_key UNIQUE (handle);

--
-- Name: workspace_handles workspace_handles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspace_handles
    ADD CONSTRAINT workspace_handles_pkey PRIMARY KEY (org_id, id);

--
-- Name: workspaces workspaces_org_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspaces
    ADD CONSTRAINT workspaces_org_id_key UNIQUE (org_id);

--
-- Name: workspaces workspaces_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspaces
    ADD CONSTRAINT workspaces_pkey PRIMARY KEY (org_id, id);

--
-- Name: org_daily_activity_day_idx; Type: INDEX; Schema: analytics; Owner: -
--

CREATE INDEX org_daily_activity_day_idx ON analytics.org_daily_activity USING btree (day);

--
-- Name: org_summaries_week_start_idx; Type: INDEX; Schema: analytics; Owner: -
--

CREATE INDEX org_summaries_week_start_idx ON analytics.org_summaries USING btree (week_start);

--
-- Name: admin_enrolment_tokens_admin_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX admin_enrolment_tokens_admin_id_idx ON public.admin_enrolment_tokens USING btree (admin_id);

--
-- Name: admin_rate_limits_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX admin_rate_limits_expires_at_idx ON public.admin_rate_limits USING btree (expires_at);

--
-- Name: admin_sessions_admin_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX admin_sessions_admin_id_idx ON public.admin_sessions USING btree (admin_id);

--
-- Name: admin_sessions_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX admin_sessions_expires_at_idx ON public.admin_sessions USING btree (expires_at);

--
-- Name: admins_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX admins_email_key ON public.admins USING btree (lower(email));

--
-- Name: api_keys_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_created_by_idx ON public.api_keys USING btree (created_by);

--
-- Name: api_keys_token_hash_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_token_hash_idx ON public.api_keys USING btree (token_hash);

--
-- Name: audit_log_acting_as_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_acting_as_idx ON public.audit_log USING btree (acting_as_user_id, id);

--
-- Name: audit_log_actor_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_actor_user_id_idx ON public.audit_log USING btree (actor_user_id, id);

--
-- Name: audit_log_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_id_idx ON public.audit_log USING btree (id);

--
-- Name: audit_log_target_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_target_idx ON public.audit_log USING btree (target, id);

--
-- Name: chat_streams_conversation_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chat_streams_conversation_id_idx ON public.chat_streams USING btree (org_id, conversation_id);

--
-- Name: chat_streams_org_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chat_streams_org_id_idx ON public.chat_streams USING btree (org_id, workspace_id, expires_at);

--
-- Name: connectors_one_active_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX connectors_one_active_idx ON public.connectors USING btree (org_id, workspace_id) WHERE active;

--
-- Name: connectors_org_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX connectors_org_id_idx ON public.connectors USING btree (org_id, created_at);

--
-- Name: connectors_workspace_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX connectors_workspace_id_idx ON public.connectors USING btree (org_id, workspace_id);

--
-- Name: conversations_org_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_org_id_created_at_idx ON public.conversations USING btree (org_id, created_at DESC, id DESC);

--
-- Name: conversations_visitor_token_hash_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_visitor_token_hash_idx ON public.conversations USING btree (visitor_token_hash);

--
-- Name: conversations_workspace_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_workspace_id_idx ON public.conversations USING btree (org_id, workspace_id);

--
-- Name: graph_nodes_org_id_data_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX graph_nodes_org_id_data_idx ON public.graph_nodes USING gin (org_id, data jsonb_path_ops);

--
-- Name: graph_nodes_org_id_node_type_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX graph_nodes_org_id_node_type_id_idx ON public.graph_nodes USING btree (org_id, node_type_id, id);

--
-- Name: graph_relationships_org_id_source_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX graph_relationships_org_id_source_id_idx ON public.graph_relationships USING btree (org_id, source_id, type, id);

--
-- Name: graph_relationships_org_id_target_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX graph_relationships_org_id_target_id_idx ON public.graph_relationships USING btree (org_id, target_id, type, id);

--
-- Name: graph_relationships_org_id_type_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX graph_relationships_org_id_type_idx ON public.graph_relationships USING btree (org_id, type, id);

--
-- Name: idempotency_keys_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotency_keys_expires_at_idx ON public.idempotency_keys USING btree (expires_at);

--
-- Name: impersonations_admin_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX impersonations_admin_id_idx ON public.impersonations USING btree (admin_id);

--
-- Name: impersonations_one_open_per_user; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX impersonations_one_open_per_user ON public.impersonations USING btree (user_id) WHERE (ended_at IS NULL);

--
-- Name: impersonations_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX impersonations_user_id_idx ON public.impersonations USING btree (user_id);

--
-- Name: invites_invited_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invites_invited_by_idx ON public.invites USING btree (invited_by);

--
-- Name: invites_org_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invites_org_id_created_at_idx ON public.invites USING btree (org_id, created_at);

--
-- Name: invites_token_hash_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invites_token_hash_idx ON public.invites USING btree (token_hash);

--
-- Name: memberships_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memberships_user_id_idx ON public.memberships USING btree (user_id);

--
-- Name: messages_conversation_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_conversation_id_idx ON public.messages USING btree (org_id, conversation_id, created_at, id);

--
-- Name: messages_org_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_org_id_created_at_idx ON public.messages USING btree (org_id, created_at);

--
-- Name: org_notes_author_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX org_notes_author_id_idx ON public.org_notes USING btree (author_id);

--
-- Name: org_notes_org_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX org_notes_org_id_created_at_idx ON public.org_notes USING btree (org_id, created_at);

--
-- Name: orgs_id_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orgs_id_search_idx ON public.orgs USING btree (id text_pattern_ops);

--
-- Name: orgs_name_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orgs_name_search_idx ON public.orgs USING btree (lower(name) text_pattern_ops);

--
-- Name: outbox_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_due_idx ON public.outbox USING btree (available_at, id) WHERE (status = 'pending'::public.outbox_status);

--
-- Name: outbox_finished_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_finished_idx ON public.outbox USING btree (created_at) WHERE (status <> 'pending'::public.outbox_status);

--
-- Name: personal_access_tokens_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX personal_access_tokens_user_id_idx ON public.personal_access_tokens USING btree (user_id, created_at);

--
-- Name: platform_audit_log_acting_as_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX platform_audit_log_acting_as_idx ON public.platform_audit_log USING btree (acting_as_user_id, id);

--
-- Name: platform_audit_log_actor_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX platform_audit_log_actor_user_id_idx ON public.platform_audit_log USING btree (actor_user_id, seq);

--
-- Name: platform_audit_log_target_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX platform_audit_log_target_idx ON public.platform_audit_log USING btree (target, id);

--
-- Name: rate_limits_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX rate_limits_expires_at_idx ON public.rate_limits USING btree (expires_at);

--
-- Name: services_org_id_display_order_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX services_org_id_display_order_idx ON public.services USING btree (org_id, display_order, id);

--
-- Name: services_workspace_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX services_workspace_id_idx ON public.services USING btree (org_id, workspace_id);

--
-- Name: sessions_active_org_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_active_org_id_idx ON public.sessions USING btree (active_org_id);

--
-- Name: sessions_impersonation_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_impersonation_id_idx ON public.sessions USING btree (impersonation_id);

--
-- Name: sessions_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_user_id_idx ON public.sessions USING btree (user_id);

--
-- Name: user_tokens_one_open_reset_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX user_tokens_one_open_reset_idx ON public.user_tokens USING btree (user_id) WHERE ((purpose = 'password_reset'::public.token_purpose) AND (used_at IS NULL));

--
-- Name: user_tokens_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_tokens_user_id_idx ON public.user_tokens USING btree (user_id);

--
-- Name: users_display_name_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_display_name_search_idx ON public.users USING btree (lower(display_name) text_pattern_ops);

--
-- Name: users_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));

--
-- Name: users_email_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_email_search_idx ON public.users USING btree (lower(email) text_pattern_ops);

--
-- Name: users_id_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_id_search_idx ON public.users USING btree (id text_pattern_ops);

--
-- Name: users_managed_by_org_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_managed_by_org_idx ON public.users USING btree (managed_by_org);

--
-- Name: workspace_handles_current_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX workspace_handles_current_idx ON public.workspace_handles USING btree (org_id, workspace_id) WHERE (expires_at IS NULL);

--
-- Name: workspace_handles_workspace_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workspace_handles_workspace_id_idx ON public.workspace_handles USING btree (org_id, workspace_id);

--
-- Name: admins admins_keep_an_owner; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER admins_keep_an_owner AFTER DELETE OR UPDATE OF role, enrolment_state, disabled_at ON public.admins FOR EACH ROW EXECUTE FUNCTION public.app_admins_keep_an_owner();

--
-- Name: memberships memberships_org_keeps_an_owner; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memberships_org_keeps_an_owner AFTER DELETE OR UPDATE OF role, org_id ON public.memberships FOR EACH ROW EXECUTE FUNCTION public.app_org_keeps_an_owner();

--
-- Name: org_daily_activity org_daily_activity_org_id_fkey; Type: FK CONSTRAINT; Schema: analytics; Owner: -
--

ALTER TABLE ONLY analytics.org_daily_activity
    ADD CONSTRAINT org_daily_activity_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: org_summaries org_summaries_org_id_fkey; Type: FK CONSTRAINT; Schema: analytics; Owner: -
--

ALTER TABLE ONLY analytics.org_summaries
    ADD CONSTRAINT org_summaries_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: admin_enrolment_tokens admin_enrolment_tokens_admin_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_enrolment_tokens
    ADD CONSTRAINT admin_enrolment_tokens_admin_id_fkey FOREIGN KEY (admin_id) REFERENCES public.admins(id) ON DELETE CASCADE;

--
-- Name: admin_recovery_codes admin_recovery_codes_admin_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_recovery_codes
    ADD CONSTRAINT admin_recovery_codes_admin_id_fkey FOREIGN KEY (admin_id) REFERENCES public.admins(id) ON DELETE CASCADE;

--
-- Name: admin_sessions admin_sessions_admin_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_sessions
    ADD CONSTRAINT admin_sessions_admin_id_fkey FOREIGN KEY (admin_id) REFERENCES public.admins(id) ON DELETE CASCADE;

--
-- Name: api_keys api_keys_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: api_keys api_keys_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: chat_streams chat_streams_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chat_streams
    ADD CONSTRAINT chat_streams_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;

--
-- Name: chat_streams chat_streams_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chat_streams
    ADD CONSTRAINT chat_streams_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: chat_streams chat_streams_workspace_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chat_streams
    ADD CONSTRAINT chat_streams_workspace_id_fkey FOREIGN KEY (org_id, workspace_id) REFERENCES public.workspaces(org_id, id) ON DELETE CASCADE;

--
-- Name: connectors connectors_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.connectors
    ADD CONSTRAINT connectors_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: connectors connectors_workspace_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.connectors
    ADD CONSTRAINT connectors_workspace_id_fkey FOREIGN KEY (org_id, workspace_id) REFERENCES public.workspaces(org_id, id) ON DELETE CASCADE;

--
-- Name: conversations conversations_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: conversations conversations_workspace_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_workspace_id_fkey FOREIGN KEY (org_id, workspace_id) REFERENCES public.workspaces(org_id, id) ON DELETE CASCADE;

--
-- Name: graph_node_types graph_node_types_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_node_types
    ADD CONSTRAINT graph_node_types_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: graph_nodes graph_nodes_node_type_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_nodes
    ADD CONSTRAINT graph_nodes_node_type_fkey FOREIGN KEY (org_id, node_type_id) REFERENCES public.graph_node_types(org_id, id);

--
-- Name: graph_nodes graph_nodes_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_nodes
    ADD CONSTRAINT graph_nodes_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: graph_relationships graph_relationships_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_relationships
    ADD CONSTRAINT graph_relationships_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: graph_relationships graph_relationships_source_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_relationships
    ADD CONSTRAINT graph_relationships_source_fkey FOREIGN KEY (org_id, source_id) REFERENCES public.graph_nodes(org_id, id) ON DELETE CASCADE;

--
-- Name: graph_relationships graph_relationships_target_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.graph_relationships
    ADD CONSTRAINT graph_relationships_target_fkey FOREIGN KEY (org_id, target_id) REFERENCES public.graph_nodes(org_id, id) ON DELETE CASCADE;

--
-- Name: impersonations impersonations_admin_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.impersonations
    ADD CONSTRAINT impersonations_admin_id_fkey FOREIGN KEY (admin_id) REFERENCES public.admins(id);

--
-- Name: impersonations impersonations_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.impersonations
    ADD CONSTRAINT impersonations_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: invites invites_invited_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: invites invites_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: memberships memberships_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: memberships memberships_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: messages messages_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;

--
-- Name: messages messages_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: org_notes org_notes_author_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.org_notes
    ADD CONSTRAINT org_notes_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: org_notes org_notes_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.org_notes
    ADD CONSTRAINT org_notes_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: personal_access_tokens personal_access_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.personal_access_tokens
    ADD CONSTRAINT personal_access_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: services services_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.services
    ADD CONSTRAINT services_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: services services_workspace_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.services
    ADD CONSTRAINT services_workspace_id_fkey FOREIGN KEY (org_id, workspace_id) REFERENCES public.workspaces(org_id, id) ON DELETE CASCADE;

--
-- Name: sessions sessions_active_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_active_org_id_fkey FOREIGN KEY (active_org_id) REFERENCES public.orgs(id) ON DELETE SET NULL;

--
-- Name: sessions sessions_impersonation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_impersonation_id_fkey FOREIGN KEY (impersonation_id) REFERENCES public.impersonations(id) ON DELETE CASCADE;

--
-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: user_tokens user_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_tokens
    ADD CONSTRAINT user_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: users users_managed_by_org_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_managed_by_org_fkey FOREIGN KEY (managed_by_org) REFERENCES public.orgs(id) ON DELETE SET NULL;

--
-- Name: workspace_handles workspace_handles_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspace_handles
    ADD CONSTRAINT workspace_handles_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: workspace_handles workspace_handles_workspace_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspace_handles
    ADD CONSTRAINT workspace_handles_workspace_id_fkey FOREIGN KEY (org_id, workspace_id) REFERENCES public.workspaces(org_id, id) ON DELETE CASCADE;

--
-- Name: workspaces workspaces_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspaces
    ADD CONSTRAINT workspaces_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: org_daily_activity; Type: ROW SECURITY; Schema: analytics; Owner: -
--

ALTER TABLE analytics.org_daily_activity ENABLE ROW LEVEL SECURITY;

--
-- Name: org_daily_activity org_daily_activity_pipeline; Type: POLICY; Schema: analytics; Owner: -
--

CREATE POLICY org_daily_activity_pipeline ON analytics.org_daily_activity TO blossom_pipeline USING (true) WITH CHECK (true);

--
-- Name: org_daily_activity org_daily_activity_tenant; Type: POLICY; Schema: analytics; Owner: -
--

CREATE POLICY org_daily_activity_tenant ON analytics.org_daily_activity USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: org_summaries; Type: ROW SECURITY; Schema: analytics; Owner: -
--

ALTER TABLE analytics.org_summaries ENABLE ROW LEVEL SECURITY;

--
-- Name: org_summaries org_summaries_pipeline; Type: POLICY; Schema: analytics; Owner: -
--

CREATE POLICY org_summaries_pipeline ON analytics.org_summaries TO blossom_pipeline USING (true) WITH CHECK (true);

--
-- Name: org_summaries org_summaries_tenant; Type: POLICY; Schema: analytics; Owner: -
--

CREATE POLICY org_summaries_tenant ON analytics.org_summaries USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: admin_enrolment_tokens; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.admin_enrolment_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: admin_enrolment_tokens admin_enrolment_tokens_panopticon; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_enrolment_tokens_panopticon ON public.admin_enrolment_tokens TO blossom_panopticon USING (true) WITH CHECK (true);

--
-- Name: admin_rate_limits; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.admin_rate_limits ENABLE ROW LEVEL SECURITY;

--
-- Name: admin_rate_limits admin_rate_limits_panopticon; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_rate_limits_panopticon ON public.admin_rate_limits TO blossom_panopticon USING (true) WITH CHECK (true);

--
-- Name: admin_recovery_codes; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.admin_recovery_codes ENABLE ROW LEVEL SECURITY;

--
-- Name: admin_recovery_codes admin_recovery_codes_panopticon; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_recovery_codes_panopticon ON public.admin_recovery_codes TO blossom_panopticon USING (true) WITH CHECK (true);

--
-- Name: admin_sessions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.admin_sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: admin_sessions admin_sessions_panopticon; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_sessions_panopticon ON public.admin_sessions TO blossom_panopticon USING (true) WITH CHECK (true);

--
-- Name: admins; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.admins ENABLE ROW LEVEL SECURITY;

--
-- Name: admins admins_panopticon; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admins_panopticon ON public.admins TO blossom_panopticon USING (true) WITH CHECK (true);

--
-- Name: api_keys; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: api_keys api_keys_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY api_keys_tenant ON public.api_keys USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: audit_heads; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.audit_heads ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_heads audit_heads_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY audit_heads_tenant ON public.audit_heads USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: audit_log; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.audit_log ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_log audit_log_panopticon_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY audit_log_panopticon_read ON public.audit_log FOR SELECT TO blossom_panopticon USING (true);

--
-- Name: audit_log audit_log_tenant_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY audit_log_tenant_read ON public.audit_log FOR SELECT USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: chat_streams; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.chat_streams ENABLE ROW LEVEL SECURITY;

--
-- Name: chat_streams chat_streams_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY chat_streams_tenant ON public.chat_streams USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: connectors; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.connectors ENABLE ROW LEVEL SECURITY;

--
-- Name: connectors connectors_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY connectors_tenant ON public.connectors USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: conversations; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.conversations ENABLE ROW LEVEL SECURITY;

--
-- Name: conversations conversations_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY conversations_tenant ON public.conversations USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: graph_node_types; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.graph_node_types ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_node_types graph_node_types_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY graph_node_types_tenant ON public.graph_node_types USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: graph_nodes; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.graph_nodes ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_nodes graph_nodes_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY graph_nodes_tenant ON public.graph_nodes USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: graph_relationships; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.graph_relationships ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_relationships graph_relationships_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY graph_relationships_tenant ON public.graph_relationships USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: impersonations; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.impersonations ENABLE ROW LEVEL SECURITY;

--
-- Name: impersonations impersonations_panopticon; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY impersonations_panopticon ON public.impersonations TO blossom_panopticon USING (true) WITH CHECK (true);

--
-- Name: invites; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.invites ENABLE ROW LEVEL SECURITY;

--
-- Name: invites invites_panopticon_cancel; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY invites_panopticon_cancel ON public.invites FOR UPDATE TO blossom_panopticon USING (true) WITH CHECK (true);

--
-- Name: invites invites_panopticon_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY invites_panopticon_read ON public.invites FOR SELECT TO blossom_panopticon USING (true);

--
-- Name: invites invites_pipeline_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY invites_pipeline_read ON public.invites FOR SELECT TO blossom_pipeline USING (true);

--
-- Name: invites invites_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY invites_tenant ON public.invites USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: memberships; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.memberships ENABLE ROW LEVEL SECURITY;

--
-- Name: memberships memberships_own_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY memberships_own_read ON public.memberships FOR SELECT USING ((user_id = ( SELECT public.app_current_user_id() AS app_current_user_id)));

--
-- Name: memberships memberships_panopticon_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY memberships_panopticon_read ON public.memberships FOR SELECT TO blossom_panopticon USING (true);

--
-- Name: memberships memberships_panopticon_remove; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY memberships_panopticon_remove ON public.memberships FOR DELETE TO blossom_panopticon USING (true);

--
-- Name: memberships memberships_panopticon_update; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY memberships_panopticon_update ON public.memberships FOR UPDATE TO blossom_panopticon USING (true) WITH CHECK (true);

--
-- Name: memberships memberships_pipeline_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY memberships_pipeline_read ON public.memberships FOR SELECT TO blossom_pipeline USING (true);

--
-- Name: memberships memberships_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY memberships_tenant ON public.memberships USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: messages; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;

--
-- Name: messages messages_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY messages_tenant ON public.messages USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: org_notes; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.org_notes ENABLE ROW LEVEL SECURITY;

--
-- Name: org_notes org_notes_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY org_notes_tenant ON public.org_notes USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: orgs; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY;

--
-- Name: orgs orgs_active_org; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY orgs_active_org ON public.orgs USING ((id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: orgs orgs_member_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY orgs_member_read ON public.orgs FOR SELECT USING ((id IN ( SELECT m.org_id
   FROM public.memberships m
  WHERE (m.user_id = ( SELECT public.app_current_user_id() AS app_current_user_id)))));

--
-- Name: orgs orgs_panopticon_delete; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY orgs_panopticon_delete ON public.orgs FOR DELETE TO blossom_panopticon USING (true);

--
-- Name: orgs orgs_panopticon_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY orgs_panopticon_read ON public.orgs FOR SELECT TO blossom_panopticon USING (true);

--
-- Name: orgs orgs_pipeline_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY orgs_pipeline_read ON public.orgs FOR SELECT TO blossom_pipeline USING (true);

--
-- Name: personal_access_tokens; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.personal_access_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: personal_access_tokens personal_access_tokens_own; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY personal_access_tokens_own ON public.personal_access_tokens USING ((user_id = ( SELECT public.app_current_user_id() AS app_current_user_id))) WITH CHECK ((user_id = ( SELECT public.app_current_user_id() AS app_current_user_id)));

--
-- Name: platform_audit_heads; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.platform_audit_heads ENABLE ROW LEVEL SECURITY;

--
-- Name: platform_audit_log; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.platform_audit_log ENABLE ROW LEVEL SECURITY;

--
-- Name: platform_audit_log platform_audit_log_own_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY platform_audit_log_own_read ON public.platform_audit_log FOR SELECT USING (((chain = 'account'::text) AND ((( SELECT public.app_current_user_id() AS app_current_user_id) = actor_user_id) OR (( SELECT public.app_current_user_id() AS app_current_user_id) = acting_as_user_id))));

--
-- Name: platform_audit_log platform_audit_log_panopticon_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY platform_audit_log_panopticon_read ON public.platform_audit_log FOR SELECT TO blossom_panopticon USING (true);

--
-- Name: services; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.services ENABLE ROW LEVEL SECURITY;

--
-- Name: services services_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY services_tenant ON public.services USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: sessions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: sessions sessions_own; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY sessions_own ON public.sessions USING ((user_id = ( SELECT public.app_current_user_id() AS app_current_user_id))) WITH CHECK ((user_id = ( SELECT public.app_current_user_id() AS app_current_user_id)));

--
-- Name: sessions sessions_panopticon_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY sessions_panopticon_read ON public.sessions FOR SELECT TO blossom_panopticon USING (true);

--
-- Name: sessions sessions_panopticon_revoke; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY sessions_panopticon_revoke ON public.sessions FOR DELETE TO blossom_panopticon USING (true);

--
-- Name: sessions sessions_pipeline_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY sessions_pipeline_read ON public.sessions FOR SELECT TO blossom_pipeline USING (true);

--
-- Name: user_tokens; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.user_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: user_tokens user_tokens_own; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY user_tokens_own ON public.user_tokens USING ((user_id = ( SELECT public.app_current_user_id() AS app_current_user_id))) WITH CHECK ((user_id = ( SELECT public.app_current_user_id() AS app_current_user_id)));

--
-- Name: users; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

--
-- Name: users users_colleague_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_colleague_read ON public.users FOR SELECT USING ((id IN ( SELECT m.user_id
   FROM public.memberships m
  WHERE (m.org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)))));

--
-- Name: users users_managed_insert; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_managed_insert ON public.users FOR INSERT WITH CHECK ((managed_by_org = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: users users_managed_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_managed_read ON public.users FOR SELECT USING ((managed_by_org = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: users users_managed_update; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_managed_update ON public.users FOR UPDATE USING (((managed_by_org = ( SELECT public.app_current_org_id() AS app_current_org_id)) AND (password_hash = '!'::text))) WITH CHECK ((managed_by_org = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: users users_panopticon_disable; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_panopticon_disable ON public.users FOR UPDATE TO blossom_panopticon USING (true) WITH CHECK (true);

--
-- Name: users users_panopticon_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_panopticon_read ON public.users FOR SELECT TO blossom_panopticon USING (true);

--
-- Name: users users_pipeline_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_pipeline_read ON public.users FOR SELECT TO blossom_pipeline USING (true);

--
-- Name: users users_self; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_self ON public.users USING ((id = ( SELECT public.app_current_user_id() AS app_current_user_id))) WITH CHECK ((id = ( SELECT public.app_current_user_id() AS app_current_user_id)));

--
-- Name: workspace_handles; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.workspace_handles ENABLE ROW LEVEL SECURITY;

--
-- Name: workspace_handles workspace_handles_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY workspace_handles_tenant ON public.workspace_handles USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: workspaces; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.workspaces ENABLE ROW LEVEL SECURITY;

--
-- Name: workspaces workspaces_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY workspaces_tenant ON public.workspaces USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: SCHEMA analytics; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA analytics TO blossom_pipeline;

--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA public TO blossom_app;
GRANT USAGE ON SCHEMA public TO blossom_pipeline;
GRANT USAGE ON SCHEMA public TO blossom_panopticon;

--
-- Name: FUNCTION app_admins_keep_an_owner(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_admins_keep_an_owner() FROM PUBLIC;

--
-- Name: FUNCTION app_api_key_for_token(p_token_hash bytea, p_org_id text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_api_key_for_token(p_token_hash bytea, p_org_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_api_key_for_token(p_token_hash bytea, p_org_id text) TO blossom_app;

--
-- Name: FUNCTION app_api_key_touch(p_key_id text, p_org_id text, p_now timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_api_key_touch(p_key_id text, p_org_id text, p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_api_key_touch(p_key_id text, p_org_id text, p_now timestamp with time zone) TO blossom_app;

--
-- Name: FUNCTION app_audit_record(p_id text, p_chain text, p_at timestamp with time zone, p_actor_user_id text, p_actor_admin_id text, p_acting_as_user_id text, p_action text, p_target text, p_reason text, p_request_id text, p_client_address text, p_before jsonb, p_after jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_audit_record(p_id text, p_chain text, p_at timestamp with time zone, p_actor_user_id text, p_actor_admin_id text, p_acting_as_user_id text, p_action text, p_target text, p_reason text, p_request_id text, p_client_address text, p_before jsonb, p_after jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_audit_record(p_id text, p_chain text, p_at timestamp with time zone, p_actor_user_id text, p_actor_admin_id text, p_acting_as_user_id text, p_action text, p_target text, p_reason text, p_request_id text, p_client_address text, p_before jsonb, p_after jsonb) TO blossom_app;
GRANT ALL ON FUNCTION public.app_audit_record(p_id text, p_chain text, p_at timestamp with time zone, p_actor_user_id text, p_actor_admin_id text, p_acting_as_user_id text, p_action text, p_target text, p_reason text, p_request_id text, p_client_address text, p_before jsonb, p_after jsonb) TO blossom_panopticon;

--
-- Name: FUNCTION app_idempotency_claim(p_scope text, p_route text, p_key text, p_body_hash bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_idempotency_claim(p_scope text, p_route text, p_key text, p_body_hash bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_idempotency_claim(p_scope text, p_route text, p_key text, p_body_hash bytea) TO blossom_app;

--
-- Name: FUNCTION app_idempotency_complete(p_scope text, p_route text, p_key text, p_response bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_idempotency_complete(p_scope text, p_route text, p_key text, p_response bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_idempotency_complete(p_scope text, p_route text, p_key text, p_response bytea) TO blossom_app;

--
-- Name: FUNCTION app_idempotency_prune(p_limit integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_idempotency_prune(p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_idempotency_prune(p_limit integer) TO blossom_outbox;

--
-- Name: FUNCTION app_impersonation_end_sessions(p_impersonation_id text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_impersonation_end_sessions(p_impersonation_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_impersonation_end_sessions(p_impersonation_id text) TO blossom_panopticon;

--
-- Name: FUNCTION app_impersonation_redeem(p_code_hash bytea, p_now timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_impersonation_redeem(p_code_hash bytea, p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_impersonation_redeem(p_code_hash bytea, p_now timestamp with time zone) TO blossom_app;

--
-- Name: FUNCTION app_impersonation_target(p_user_id text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_impersonation_target(p_user_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_impersonation_target(p_user_id text) TO blossom_panopticon;

--
-- Name: FUNCTION app_invite_for_token(p_token_hash bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_invite_for_token(p_token_hash bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_invite_for_token(p_token_hash bytea) TO blossom_app;

--
-- Name: FUNCTION app_login_lookup(p_email text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_login_lookup(p_email text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_login_lookup(p_email text) TO blossom_app;

--
-- Name: FUNCTION app_org_keeps_an_owner(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_org_keeps_an_owner() FROM PUBLIC;

--
-- Name: FUNCTION app_outbox_claim(p_now timestamp with time zone, p_locked_until timestamp with time zone, p_limit integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_outbox_claim(p_now timestamp with time zone, p_locked_until timestamp with time zone, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_outbox_claim(p_now timestamp with time zone, p_locked_until timestamp with time zone, p_limit integer) TO blossom_outbox;

--
-- Name: FUNCTION app_outbox_complete(p_id text, p_attempts integer, p_now timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_outbox_complete(p_id text, p_attempts integer, p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_outbox_complete(p_id text, p_attempts integer, p_now timestamp with time zone) TO blossom_outbox;

--
-- Name: FUNCTION app_outbox_fail(p_id text, p_attempts integer, p_error text, p_retry_at timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_outbox_fail(p_id text, p_attempts integer, p_error text, p_retry_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_outbox_fail(p_id text, p_attempts integer, p_error text, p_retry_at timestamp with time zone) TO blossom_outbox;

--
-- Name: FUNCTION app_outbox_prune(p_before timestamp with time zone, p_limit integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_outbox_prune(p_before timestamp with time zone, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_outbox_prune(p_before timestamp with time zone, p_limit integer) TO blossom_outbox;

--
-- Name: FUNCTION app_panopticon_enqueue_account_mail(p_kind text, p_user_id text, p_now timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_panopticon_enqueue_account_mail(p_kind text, p_user_id text, p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_panopticon_enqueue_account_mail(p_kind text, p_user_id text, p_now timestamp with time zone) TO blossom_panopticon;

--
-- Name: FUNCTION app_panopticon_lock_org(p_org_id text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_panopticon_lock_org(p_org_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_panopticon_lock_org(p_org_id text) TO blossom_panopticon;

--
-- Name: FUNCTION app_release_expired_handle(p_handle text, p_now timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_release_expired_handle(p_handle text, p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_release_expired_handle(p_handle text, p_now timestamp with time zone) TO blossom_app;

--
-- Name: FUNCTION app_session_for_token(p_token_hash bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_session_for_token(p_token_hash bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_session_for_token(p_token_hash bytea) TO blossom_app;

--
-- Name: FUNCTION app_session_touch(p_session_id text, p_now timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_session_touch(p_session_id text, p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_session_touch(p_session_id text, p_now timestamp with time zone) TO blossom_app;

--
-- Name: FUNCTION app_session_unchanged(p_token_hash bytea, p_session_id text, p_user_id text, p_org_id text, p_role public.org_role, p_now timestamp with time zone, p_seen_after timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_session_unchanged(p_token_hash bytea, p_session_id text, p_user_id text, p_org_id text, p_role public.org_role, p_now timestamp with time zone, p_seen_after timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_session_unchanged(p_token_hash bytea, p_session_id text, p_user_id text, p_org_id text, p_role public.org_role, p_now timestamp with time zone, p_seen_after timestamp with time zone) TO blossom_app;

--
-- Name: FUNCTION app_user_id_for_email(p_email text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_user_id_for_email(p_email text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_user_id_for_email(p_email text) TO blossom_app;

--
-- Name: FUNCTION app_user_token(p_token_hash bytea, p_purpose public.token_purpose); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_user_token(p_token_hash bytea, p_purpose public.token_purpose) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_user_token(p_token_hash bytea, p_purpose public.token_purpose) TO blossom_app;

--
-- Name: FUNCTION app_visitor_conversation(p_conversation_id text, p_token_hash bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_visitor_conversation(p_conversation_id text, p_token_hash bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_visitor_conversation(p_conversation_id text, p_token_hash bytea) TO blossom_app;

--
-- Name: FUNCTION app_workspace_for_handle(p_handle text, p_now timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_workspace_for_handle(p_handle text, p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_workspace_for_handle(p_handle text, p_now timestamp with time zone) TO blossom_app;

--
-- Name: TABLE org_daily_activity; Type: ACL; Schema: analytics; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE analytics.org_daily_activity TO blossom_pipeline;

--
-- Name: TABLE org_summaries; Type: ACL; Schema: analytics; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE analytics.org_summaries TO blossom_pipeline;

--
-- Name: TABLE signup_funnel; Type: ACL; Schema: analytics; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE analytics.signup_funnel TO blossom_pipeline;

--
-- Name: TABLE admin_enrolment_tokens; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE ON TABLE public.admin_enrolment_tokens TO blossom_panopticon;

--
-- Name: COLUMN admin_enrolment_tokens.used_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(used_at) ON TABLE public.admin_enrolment_tokens TO blossom_panopticon;

--
-- Name: TABLE admin_rate_limits; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.admin_rate_limits TO blossom_panopticon;

--
-- Name: TABLE admin_recovery_codes; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE ON TABLE public.admin_recovery_codes TO blossom_panopticon;

--
-- Name: COLUMN admin_recovery_codes.used_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(used_at) ON TABLE public.admin_recovery_codes TO blossom_panopticon;

--
-- Name: TABLE admin_sessions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE ON TABLE public.admin_sessions TO blossom_panopticon;

--
-- Name: COLUMN admin_sessions.last_seen_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(last_seen_at) ON TABLE public.admin_sessions TO blossom_panopticon;

--
-- Name: TABLE admins; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.admins TO blossom_panopticon;

--
-- Name: COLUMN admins.role; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(role) ON TABLE public.admins TO blossom_panopticon;

--
-- Name: COLUMN admins.password_hash; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(password_hash) ON TABLE public.admins TO blossom_panopticon;

--
-- Name: COLUMN admins.totp_secret_encrypted; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(totp_secret_encrypted) ON TABLE public.admins TO blossom_panopticon;

--
-- Name: COLUMN admins.totp_last_step; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(totp_last_step) ON TABLE public.admins TO blossom_panopticon;

--
-- Name: COLUMN admins.enrolment_state; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(enrolment_state) ON TABLE public.admins TO blossom_panopticon;

--
-- Name: COLUMN admins.enrolled_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(enrolled_at) ON TABLE public.admins TO blossom_panopticon;

--
-- Name: COLUMN admins.disabled_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(disabled_at) ON TABLE public.admins TO blossom_panopticon;

--
-- Name: TABLE api_keys; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.api_keys TO blossom_app;

--
-- Name: TABLE audit_log; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.audit_log TO blossom_app;
GRANT SELECT ON TABLE public.audit_log TO blossom_panopticon;

--
-- Name: TABLE chat_streams; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.chat_streams TO blossom_app;

--
-- Name: TABLE connectors; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.connectors TO blossom_app;

--
-- Name: TABLE conversations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.conversations TO blossom_app;

--
-- Name: TABLE graph_node_types; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.graph_node_types TO blossom_app;

--
-- Name: TABLE graph_nodes; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.graph_nodes TO blossom_app;

--
-- Name: TABLE graph_relationships; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.graph_relationships TO blossom_app;

--
-- Name: TABLE impersonations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.impersonations TO blossom_panopticon;

--
-- Name: COLUMN impersonations.ended_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(ended_at) ON TABLE public.impersonations TO blossom_panopticon;

--
-- Name: TABLE invites; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.invites TO blossom_app;

--
-- Name: COLUMN invites.id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(id) ON TABLE public.invites TO blossom_pipeline;
GRANT SELECT(id) ON TABLE public.invites TO blossom_panopticon;

--
-- Name: COLUMN invites.org_id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(org_id) ON TABLE public.invites TO blossom_pipeline;
GRANT SELECT(org_id) ON TABLE public.invites TO blossom_panopticon;

--
-- Name: COLUMN invites.email; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(email) ON TABLE public.invites TO blossom_panopticon;

--
-- Name: COLUMN invites.role; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(role) ON TABLE public.invites TO blossom_panopticon;

--
-- Name: COLUMN invites.invited_by; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(invited_by) ON TABLE public.invites TO blossom_pipeline;
GRANT SELECT(invited_by) ON TABLE public.invites TO blossom_panopticon;

--
-- Name: COLUMN invites.status; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(status) ON TABLE public.invites TO blossom_pipeline;
GRANT SELECT(status),UPDATE(status) ON TABLE public.invites TO blossom_panopticon;

--
-- Name: COLUMN invites.created_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(created_at) ON TABLE public.invites TO blossom_pipeline;
GRANT SELECT(created_at) ON TABLE public.invites TO blossom_panopticon;

--
-- Name: COLUMN invites.expires_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(expires_at) ON TABLE public.invites TO blossom_panopticon;

--
-- Name: TABLE memberships; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.memberships TO blossom_app;
GRANT DELETE ON TABLE public.memberships TO blossom_panopticon;

--
-- Name: COLUMN memberships.id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(id) ON TABLE public.memberships TO blossom_pipeline;
GRANT SELECT(id) ON TABLE public.memberships TO blossom_panopticon;

--
-- Name: COLUMN memberships.org_id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(org_id) ON TABLE public.memberships TO blossom_pipeline;
GRANT SELECT(org_id) ON TABLE public.memberships TO blossom_panopticon;

--
-- Name: COLUMN memberships.user_id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(user_id) ON TABLE public.memberships TO blossom_pipeline;
GRANT SELECT(user_id) ON TABLE public.memberships TO blossom_panopticon;

--
-- Name: COLUMN memberships.role; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(role) ON TABLE public.memberships TO blossom_pipeline;
GRANT SELECT(role),UPDATE(role) ON TABLE public.memberships TO blossom_panopticon;

--
-- Name: COLUMN memberships.created_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(created_at) ON TABLE public.memberships TO blossom_pipeline;
GRANT SELECT(created_at) ON TABLE public.memberships TO blossom_panopticon;

--
-- Name: TABLE messages; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.messages TO blossom_app;

--
-- Name: TABLE org_notes; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.org_notes TO blossom_app;

--
-- Name: TABLE orgs; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.orgs TO blossom_app;
GRANT DELETE ON TABLE public.orgs TO blossom_panopticon;

--
-- Name: COLUMN orgs.id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(id) ON TABLE public.orgs TO blossom_pipeline;
GRANT SELECT(id) ON TABLE public.orgs TO blossom_panopticon;

--
-- Name: COLUMN orgs.name; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(name) ON TABLE public.orgs TO blossom_pipeline;
GRANT SELECT(name) ON TABLE public.orgs TO blossom_panopticon;

--
-- Name: COLUMN orgs.created_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(created_at) ON TABLE public.orgs TO blossom_pipeline;
GRANT SELECT(created_at) ON TABLE public.orgs TO blossom_panopticon;

--
-- Name: TABLE outbox; Type: ACL; Schema: public; Owner: -
--

GRANT INSERT ON TABLE public.outbox TO blossom_app;

--
-- Name: TABLE personal_access_tokens; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.personal_access_tokens TO blossom_app;

--
-- Name: TABLE platform_audit_log; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.platform_audit_log TO blossom_app;
GRANT SELECT ON TABLE public.platform_audit_log TO blossom_panopticon;

--
-- Name: TABLE rate_limits; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.rate_limits TO blossom_app;

--
-- Name: TABLE services; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.services TO blossom_app;

--
-- Name: TABLE sessions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.sessions TO blossom_app;
GRANT DELETE ON TABLE public.sessions TO blossom_panopticon;

--
-- Name: COLUMN sessions.id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(id) ON TABLE public.sessions TO blossom_pipeline;
GRANT SELECT(id) ON TABLE public.sessions TO blossom_panopticon;

--
-- Name: COLUMN sessions.user_id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(user_id) ON TABLE public.sessions TO blossom_pipeline;
GRANT SELECT(user_id) ON TABLE public.sessions TO blossom_panopticon;

--
-- Name: COLUMN sessions.active_org_id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(active_org_id) ON TABLE public.sessions TO blossom_pipeline;
GRANT SELECT(active_org_id) ON TABLE public.sessions TO blossom_panopticon;

--
-- Name: COLUMN sessions.user_agent; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(user_agent) ON TABLE public.sessions TO blossom_panopticon;

--
-- Name: COLUMN sessions.created_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(created_at) ON TABLE public.sessions TO blossom_pipeline;
GRANT SELECT(created_at) ON TABLE public.sessions TO blossom_panopticon;

--
-- Name: COLUMN sessions.last_seen_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(last_seen_at) ON TABLE public.sessions TO blossom_pipeline;
GRANT SELECT(last_seen_at) ON TABLE public.sessions TO blossom_panopticon;

--
-- Name: COLUMN sessions.expires_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(expires_at) ON TABLE public.sessions TO blossom_panopticon;

--
-- Name: TABLE user_tokens; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.user_tokens TO blossom_app;

--
-- Name: TABLE users; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.users TO blossom_app;

--
-- Name: COLUMN users.id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(id) ON TABLE public.users TO blossom_pipeline;
GRANT SELECT(id) ON TABLE public.users TO blossom_panopticon;

--
-- Name: COLUMN users.email; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(email) ON TABLE public.users TO blossom_panopticon;

--
-- Name: COLUMN users.display_name; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(display_name) ON TABLE public.users TO blossom_panopticon;

--
-- Name: COLUMN users.created_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(created_at) ON TABLE public.users TO blossom_pipeline;
GRANT SELECT(created_at) ON TABLE public.users TO blossom_panopticon;

--
-- Name: COLUMN users.email_verified_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(email_verified_at) ON TABLE public.users TO blossom_pipeline;
GRANT SELECT(email_verified_at) ON TABLE public.users TO blossom_panopticon;

--
-- Name: COLUMN users.disabled_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(disabled_at),UPDATE(disabled_at) ON TABLE public.users TO blossom_panopticon;

--
-- Name: TABLE workspace_handles; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.workspace_handles TO blossom_app;

--
-- Name: TABLE workspaces; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.workspaces TO blossom_app;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: analytics; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE blossom_owner IN SCHEMA analytics GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES TO blossom_pipeline;

--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: public; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE blossom_owner IN SCHEMA public GRANT SELECT,USAGE ON SEQUENCES TO blossom_app;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: public; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE blossom_owner IN SCHEMA public GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES TO blossom_app;

--
-- PostgreSQL database dump complete
--
