-- The AI assistant (issue 13): each organization's workspace with its globally unique handles,
-- the services it offers, its scheduling connectors (at most one active), conversations and
-- their messages, the live reply streams (capped per workspace across processes), and the RPC
-- layer's idempotency records. All of it in this one migration, so it renumbers in one move.
-- depends: 0012_org_summaries

CREATE TYPE workspace_tone AS ENUM ('professional', 'friendly', 'concise');
CREATE TYPE connector_kind AS ENUM ('calendly', 'square', 'agendapro');
CREATE TYPE conversation_channel AS ENUM ('web', 'widget', 'api');
CREATE TYPE conversation_status AS ENUM ('open', 'closed');
CREATE TYPE message_role AS ENUM ('visitor', 'assistant');

CREATE TABLE workspaces (
    id text PRIMARY KEY DEFAULT app_new_id('wsp') CHECK (id ~ '^wsp_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL UNIQUE REFERENCES orgs (id) ON DELETE CASCADE,  -- one per organization
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    tone workspace_tone NOT NULL DEFAULT 'friendly',
    timezone text NOT NULL DEFAULT 'UTC' CHECK (length(timezone) BETWEEN 1 AND 64),
    knowledge_base text NOT NULL DEFAULT '' CHECK (length(knowledge_base) <= 20000),
    tagline text NOT NULL DEFAULT '' CHECK (length(tagline) <= 200),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspaces FORCE ROW LEVEL SECURITY;
CREATE POLICY workspaces_tenant ON workspaces
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

-- Every handle a workspace holds: its current one (expires_at NULL) and old ones that still
-- redirect until expires_at. UNIQUE (handle) spans every organization: a constraint sees rows
-- RLS hides, so two organizations can never hold the same handle, whatever the race.
CREATE TABLE workspace_handles (
    id text PRIMARY KEY DEFAULT app_new_id('wsh') CHECK (id ~ '^wsh_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    handle text NOT NULL UNIQUE
        CHECK (length(handle) BETWEEN 3 AND 40 AND handle ~ '^[a-z0-9]+(?:-[a-z0-9]+)*$'),
    created_at timestamptz NOT NULL,
    expires_at timestamptz
);
CREATE INDEX workspace_handles_org_id_idx ON workspace_handles (org_id);
CREATE UNIQUE INDEX workspace_handles_current_idx ON workspace_handles (workspace_id) WHERE expires_at IS NULL;
CREATE INDEX workspace_handles_workspace_id_idx ON workspace_handles (workspace_id);
ALTER TABLE workspace_handles ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspace_handles FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_handles_tenant ON workspace_handles
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

CREATE TABLE services (
    id text PRIMARY KEY DEFAULT app_new_id('svc') CHECK (id ~ '^svc_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    price numeric(12, 2) NOT NULL CHECK (price >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    active boolean NOT NULL DEFAULT true,
    display_order integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL
);
CREATE INDEX services_org_id_display_order_idx ON services (org_id, display_order, id);
CREATE INDEX services_workspace_id_idx ON services (workspace_id);
ALTER TABLE services ENABLE ROW LEVEL SECURITY;
ALTER TABLE services FORCE ROW LEVEL SECURITY;
CREATE POLICY services_tenant ON services
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

CREATE TABLE connectors (
    id text PRIMARY KEY DEFAULT app_new_id('con') CHECK (id ~ '^con_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind connector_kind NOT NULL,
    config jsonb NOT NULL CHECK (config ->> 'type' = kind::text),
    active boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);
CREATE INDEX connectors_org_id_idx ON connectors (org_id, created_at);
CREATE INDEX connectors_workspace_id_idx ON connectors (workspace_id);
-- At most one active connector per workspace, whatever the concurrency.
CREATE UNIQUE INDEX connectors_one_active_idx ON connectors (org_id, workspace_id) WHERE active;
ALTER TABLE connectors ENABLE ROW LEVEL SECURITY;
ALTER TABLE connectors FORCE ROW LEVEL SECURITY;
CREATE POLICY connectors_tenant ON connectors
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

CREATE TABLE conversations (
    id text PRIMARY KEY DEFAULT app_new_id('cnv') CHECK (id ~ '^cnv_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    channel conversation_channel NOT NULL DEFAULT 'web',
    status conversation_status NOT NULL DEFAULT 'open',
    tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
    visitor_token_hash bytea NOT NULL UNIQUE,  -- SHA-256 of the visitor's token; the token is never stored
    created_at timestamptz NOT NULL,
    closed_at timestamptz
);
CREATE INDEX conversations_org_id_created_at_idx ON conversations (org_id, created_at DESC, id DESC);
CREATE INDEX conversations_workspace_id_idx ON conversations (workspace_id);
ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY conversations_tenant ON conversations
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

CREATE TABLE messages (
    id text PRIMARY KEY DEFAULT app_new_id('msg') CHECK (id ~ '^msg_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role message_role NOT NULL,
    content text NOT NULL CHECK (length(content) <= 20000),
    tool_calls jsonb NOT NULL DEFAULT '[]',  -- an assistant reply's tool calls and their results
    created_at timestamptz NOT NULL
);
CREATE INDEX messages_org_id_created_at_idx ON messages (org_id, created_at);
CREATE INDEX messages_conversation_id_idx ON messages (conversation_id, created_at, id);
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
CREATE POLICY messages_tenant ON messages
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

-- Reply streams in flight: a row per stream, taken under the workspace's row lock (so the count
-- holds across processes), removed when the stream ends; expires_at frees the slot of a process
-- that died mid-stream.
CREATE TABLE chat_streams (
    id text PRIMARY KEY DEFAULT app_new_id('cst') CHECK (id ~ '^cst_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    started_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX chat_streams_org_id_idx ON chat_streams (org_id, workspace_id, expires_at);
CREATE INDEX chat_streams_workspace_id_idx ON chat_streams (workspace_id);
CREATE INDEX chat_streams_conversation_id_idx ON chat_streams (conversation_id);
ALTER TABLE chat_streams ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_streams FORCE ROW LEVEL SECURITY;
CREATE POLICY chat_streams_tenant ON chat_streams
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

-- The workspace a public handle names (a current handle, or an old one still redirecting), for
-- anonymous visitors, who have no tenant context yet.
CREATE FUNCTION app_workspace_for_handle(p_handle text, p_now timestamptz)
RETURNS TABLE (workspace_id text, org_id text, current_handle text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT h.workspace_id, h.org_id, c.handle
    FROM workspace_handles h
    JOIN workspace_handles c ON c.workspace_id = h.workspace_id AND c.expires_at IS NULL
    WHERE h.handle = p_handle AND (h.expires_at IS NULL OR h.expires_at > p_now)
$$;

-- Frees a handle whose redirect has expired, whichever organization held it, so it can be claimed.
CREATE FUNCTION app_release_expired_handle(p_handle text, p_now timestamptz)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (
        DELETE FROM workspace_handles WHERE handle = p_handle AND expires_at IS NOT NULL AND expires_at <= p_now
        RETURNING 1
    )
    SELECT count(*)::integer FROM gone
$$;

-- The conversation a visitor's token opens: only with the token's hash does a visitor learn
-- its organization (to act in its tenant context, under RLS, for this one conversation).
CREATE FUNCTION app_visitor_conversation(p_conversation_id text, p_token_hash bytea)
RETURNS TABLE (conversation_id text, org_id text, workspace_id text, status conversation_status)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.id, c.org_id, c.workspace_id, c.status FROM conversations c
    WHERE c.id = p_conversation_id AND c.visitor_token_hash = p_token_hash
$$;

-- Idempotency records of the RPC layer (foundation/rpc/idempotency.py): one per (caller, route,
-- key), written in the route's own transaction; the app role reaches them only through the two
-- functions below.
CREATE TABLE idempotency_keys (
    id text PRIMARY KEY DEFAULT app_new_id('idk') CHECK (id ~ '^idk_[0-9a-hjkmnp-tv-z]{26}$'),
    scope text NOT NULL CHECK (length(scope) <= 200),
    route text NOT NULL CHECK (length(route) <= 200),
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    body_hash bytea NOT NULL,
    response bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours',
    UNIQUE (scope, route, key)
);
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
REVOKE ALL ON idempotency_keys FROM blossom_app;

-- Claim a key: the inserted row (response NULL: go ahead) or the one already there. A concurrent
-- claim of the same key waits on the unique index until the first one's transaction ends: if it
-- committed, this returns its row; if it rolled back, this one inserts. Expired keys are freed first.
CREATE FUNCTION app_idempotency_claim(p_scope text, p_route text, p_key text, p_body_hash bytea)
RETURNS TABLE (claimed boolean, body_hash bytea, response bytea)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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

CREATE FUNCTION app_idempotency_complete(p_scope text, p_route text, p_key text, p_response bytea)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH done AS (
        UPDATE idempotency_keys k SET response = p_response
        WHERE k.scope = p_scope AND k.route = p_route AND k.key = p_key AND k.response IS NULL
        RETURNING 1
    )
    SELECT count(*)::integer FROM done
$$;

REVOKE EXECUTE ON FUNCTION app_workspace_for_handle(text, timestamptz), app_release_expired_handle(text, timestamptz),
    app_visitor_conversation(text, bytea), app_idempotency_claim(text, text, text, bytea),
    app_idempotency_complete(text, text, text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_workspace_for_handle(text, timestamptz), app_release_expired_handle(text, timestamptz),
    app_visitor_conversation(text, bytea), app_idempotency_claim(text, text, text, bytea),
    app_idempotency_complete(text, text, text, bytea) TO blossom_app;
