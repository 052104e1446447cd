-- Undo 0017_tenant_keys_lead_with_org: single-column keys again.

CREATE OR REPLACE FUNCTION app_workspace_for_handle(p_handle text, p_now timestamptz)
RETURNS TABLE (workspace_id text, org_id text, current_handle text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT h.workspace_id, h.org_id, c.handle
    FROM workspace_handles h
    JOIN workspace_handles c ON c.workspace_id = h.workspace_id AND c.expires_at IS NULL
    WHERE h.handle = p_handle AND (h.expires_at IS NULL OR h.expires_at > p_now)
$$;

DROP INDEX workspace_handles_workspace_id_idx;
CREATE INDEX workspace_handles_workspace_id_idx ON workspace_handles (workspace_id);
CREATE INDEX workspace_handles_org_id_idx ON workspace_handles (org_id);
DROP INDEX services_workspace_id_idx;
CREATE INDEX services_workspace_id_idx ON services (workspace_id);
DROP INDEX messages_conversation_id_idx;
CREATE INDEX messages_conversation_id_idx ON messages (conversation_id, created_at, id);
DROP INDEX conversations_workspace_id_idx;
CREATE INDEX conversations_workspace_id_idx ON conversations (workspace_id);
DROP INDEX connectors_workspace_id_idx;
CREATE INDEX connectors_workspace_id_idx ON connectors (workspace_id);
CREATE INDEX chat_streams_workspace_id_idx ON chat_streams (workspace_id);
DROP INDEX chat_streams_conversation_id_idx;
CREATE INDEX chat_streams_conversation_id_idx ON chat_streams (conversation_id);

ALTER TABLE chat_streams
    DROP CONSTRAINT chat_streams_conversation_id_fkey,
    DROP CONSTRAINT chat_streams_workspace_id_fkey;
ALTER TABLE connectors DROP CONSTRAINT connectors_workspace_id_fkey;
ALTER TABLE conversations DROP CONSTRAINT conversations_workspace_id_fkey;
ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey;
ALTER TABLE services DROP CONSTRAINT services_workspace_id_fkey;
ALTER TABLE workspace_handles DROP CONSTRAINT workspace_handles_workspace_id_fkey;

DROP INDEX workspace_handles_current_idx;
CREATE UNIQUE INDEX workspace_handles_current_idx ON workspace_handles (workspace_id) WHERE expires_at IS NULL;
DROP INDEX conversations_visitor_token_hash_idx;
ALTER TABLE conversations
    DROP CONSTRAINT conversations_org_id_visitor_token_hash_key,
    ADD CONSTRAINT conversations_visitor_token_hash_key UNIQUE (visitor_token_hash);
DROP INDEX invites_token_hash_idx;
ALTER TABLE invites
    DROP CONSTRAINT invites_org_id_token_hash_key,
    ADD CONSTRAINT invites_token_hash_key UNIQUE (token_hash);

ALTER TABLE analytics.org_summaries
    DROP CONSTRAINT org_summaries_pkey, ADD CONSTRAINT org_summaries_pkey PRIMARY KEY (id);
ALTER TABLE analytics.org_daily_activity
    DROP CONSTRAINT org_daily_activity_pkey, ADD CONSTRAINT org_daily_activity_pkey PRIMARY KEY (id);
ALTER TABLE workspaces DROP CONSTRAINT workspaces_pkey, ADD CONSTRAINT workspaces_pkey PRIMARY KEY (id);
ALTER TABLE workspace_handles DROP CONSTRAINT workspace_handles_pkey, ADD CONSTRAINT workspace_handles_pkey PRIMARY KEY (id);
ALTER TABLE services DROP CONSTRAINT services_pkey, ADD CONSTRAINT services_pkey PRIMARY KEY (id);
ALTER TABLE org_notes DROP CONSTRAINT org_notes_pkey, ADD CONSTRAINT org_notes_pkey PRIMARY KEY (id);
ALTER TABLE messages DROP CONSTRAINT messages_pkey, ADD CONSTRAINT messages_pkey PRIMARY KEY (id);
ALTER TABLE memberships DROP CONSTRAINT memberships_pkey, ADD CONSTRAINT memberships_pkey PRIMARY KEY (id);
ALTER TABLE invites DROP CONSTRAINT invites_pkey, ADD CONSTRAINT invites_pkey PRIMARY KEY (id);
ALTER TABLE conversations DROP CONSTRAINT conversations_pkey, ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);
ALTER TABLE connectors DROP CONSTRAINT connectors_pkey, ADD CONSTRAINT connectors_pkey PRIMARY KEY (id);
ALTER TABLE chat_streams DROP CONSTRAINT chat_streams_pkey, ADD CONSTRAINT chat_streams_pkey PRIMARY KEY (id);

ALTER TABLE chat_streams
    ADD CONSTRAINT chat_streams_conversation_id_fkey FOREIGN KEY (conversation_id)
        REFERENCES conversations (id) ON DELETE CASCADE,
    ADD CONSTRAINT chat_streams_workspace_id_fkey FOREIGN KEY (workspace_id)
        REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE connectors ADD CONSTRAINT connectors_workspace_id_fkey FOREIGN KEY (workspace_id)
    REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE conversations ADD CONSTRAINT conversations_workspace_id_fkey FOREIGN KEY (workspace_id)
    REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE messages ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id)
    REFERENCES conversations (id) ON DELETE CASCADE;
ALTER TABLE services ADD CONSTRAINT services_workspace_id_fkey FOREIGN KEY (workspace_id)
    REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE workspace_handles ADD CONSTRAINT workspace_handles_workspace_id_fkey FOREIGN KEY (workspace_id)
    REFERENCES workspaces (id) ON DELETE CASCADE;
