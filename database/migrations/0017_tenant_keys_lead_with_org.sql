-- Citus readiness: every tenant table is one Citus could distribute by org_id. Citus enforces a
-- primary key or unique index only when it contains the distribution column, and a foreign key
-- between distributed tables only when it joins on it. So the primary keys become (org_id, id)
-- (the id keeps its CHECK and stays unique by construction), unique constraints lead with
-- org_id, and foreign keys between tenant tables carry org_id: a row can then no longer point at
-- another organization's row even through the owner role, which bypasses RLS.
-- `database/schema_lint.py` holds new tables to the same rule; workspace_handles.handle stays
-- unique across organizations (a public namespace; its reason is listed there).
-- depends: 0016_graph

-- The foreign keys between tenant tables hang on the primary keys they reference: drop them first.
ALTER TABLE chat_streams
    DROP CONSTRAINT chat_streams_conversation_id_fkey,
    DROP CONSTRAINT chat_streams_workspace_id_fkey;
ALTER TABLE connectors DROP CONSTRAINT connectors_workspace_id_fkey;
ALTER TABLE conversations DROP CONSTRAINT conversations_workspace_id_fkey;
ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey;
ALTER TABLE services DROP CONSTRAINT services_workspace_id_fkey;
ALTER TABLE workspace_handles DROP CONSTRAINT workspace_handles_workspace_id_fkey;

ALTER TABLE chat_streams DROP CONSTRAINT chat_streams_pkey, ADD CONSTRAINT chat_streams_pkey PRIMARY KEY (org_id, id);
ALTER TABLE connectors DROP CONSTRAINT connectors_pkey, ADD CONSTRAINT connectors_pkey PRIMARY KEY (org_id, id);
ALTER TABLE conversations DROP CONSTRAINT conversations_pkey, ADD CONSTRAINT conversations_pkey PRIMARY KEY (org_id, id);
ALTER TABLE invites DROP CONSTRAINT invites_pkey, ADD CONSTRAINT invites_pkey PRIMARY KEY (org_id, id);
ALTER TABLE memberships DROP CONSTRAINT memberships_pkey, ADD CONSTRAINT memberships_pkey PRIMARY KEY (org_id, id);
ALTER TABLE messages DROP CONSTRAINT messages_pkey, ADD CONSTRAINT messages_pkey PRIMARY KEY (org_id, id);
ALTER TABLE org_notes DROP CONSTRAINT org_notes_pkey, ADD CONSTRAINT org_notes_pkey PRIMARY KEY (org_id, id);
ALTER TABLE services DROP CONSTRAINT services_pkey, ADD CONSTRAINT services_pkey PRIMARY KEY (org_id, id);
ALTER TABLE workspace_handles
    DROP CONSTRAINT workspace_handles_pkey, ADD CONSTRAINT workspace_handles_pkey PRIMARY KEY (org_id, id);
ALTER TABLE workspaces DROP CONSTRAINT workspaces_pkey, ADD CONSTRAINT workspaces_pkey PRIMARY KEY (org_id, id);
ALTER TABLE analytics.org_daily_activity
    DROP CONSTRAINT org_daily_activity_pkey, ADD CONSTRAINT org_daily_activity_pkey PRIMARY KEY (org_id, id);
ALTER TABLE analytics.org_summaries
    DROP CONSTRAINT org_summaries_pkey, ADD CONSTRAINT org_summaries_pkey PRIMARY KEY (org_id, id);

-- Token hashes are 32 random bytes' digests, unique across organizations by construction; the
-- constraint now holds per organization, and a plain index serves the lookup by token (made
-- before the organization is known).
ALTER TABLE invites
    DROP CONSTRAINT invites_token_hash_key,
    ADD CONSTRAINT invites_org_id_token_hash_key UNIQUE (org_id, token_hash);
CREATE INDEX invites_token_hash_idx ON invites (token_hash);
ALTER TABLE conversations
    DROP CONSTRAINT conversations_visitor_token_hash_key,
    ADD CONSTRAINT conversations_org_id_visitor_token_hash_key UNIQUE (org_id, visitor_token_hash);
CREATE INDEX conversations_visitor_token_hash_idx ON conversations (visitor_token_hash);
DROP INDEX workspace_handles_current_idx;
CREATE UNIQUE INDEX workspace_handles_current_idx ON workspace_handles (org_id, workspace_id) WHERE expires_at IS NULL;

-- The foreign keys again, each with org_id: a child row's organization is its parent's.
ALTER TABLE chat_streams
    ADD CONSTRAINT chat_streams_conversation_id_fkey FOREIGN KEY (org_id, conversation_id)
        REFERENCES conversations (org_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT chat_streams_workspace_id_fkey FOREIGN KEY (org_id, workspace_id)
        REFERENCES workspaces (org_id, id) ON DELETE CASCADE;
ALTER TABLE connectors ADD CONSTRAINT connectors_workspace_id_fkey FOREIGN KEY (org_id, workspace_id)
    REFERENCES workspaces (org_id, id) ON DELETE CASCADE;
ALTER TABLE conversations ADD CONSTRAINT conversations_workspace_id_fkey FOREIGN KEY (org_id, workspace_id)
    REFERENCES workspaces (org_id, id) ON DELETE CASCADE;
ALTER TABLE messages ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (org_id, conversation_id)
    REFERENCES conversations (org_id, id) ON DELETE CASCADE;
ALTER TABLE services ADD CONSTRAINT services_workspace_id_fkey FOREIGN KEY (org_id, workspace_id)
    REFERENCES workspaces (org_id, id) ON DELETE CASCADE;
ALTER TABLE workspace_handles ADD CONSTRAINT workspace_handles_workspace_id_fkey FOREIGN KEY (org_id, workspace_id)
    REFERENCES workspaces (org_id, id) ON DELETE CASCADE;

-- Each foreign key's index leads with its columns, org_id first (the RLS policy supplies it).
DROP INDEX chat_streams_conversation_id_idx;
CREATE INDEX chat_streams_conversation_id_idx ON chat_streams (org_id, conversation_id);
DROP INDEX chat_streams_workspace_id_idx; -- chat_streams_org_id_idx (org_id, workspace_id, expires_at) serves it
DROP INDEX connectors_workspace_id_idx;
CREATE INDEX connectors_workspace_id_idx ON connectors (org_id, workspace_id);
DROP INDEX conversations_workspace_id_idx;
CREATE INDEX conversations_workspace_id_idx ON conversations (org_id, workspace_id);
DROP INDEX messages_conversation_id_idx;
CREATE INDEX messages_conversation_id_idx ON messages (org_id, conversation_id, created_at, id);
DROP INDEX services_workspace_id_idx;
CREATE INDEX services_workspace_id_idx ON services (org_id, workspace_id);
DROP INDEX workspace_handles_workspace_id_idx;
DROP INDEX workspace_handles_org_id_idx; -- the new index leads with org_id too
CREATE INDEX workspace_handles_workspace_id_idx ON workspace_handles (org_id, workspace_id);

-- The handle lookup joins a workspace's handles on the organization too, so the current-handle
-- index (now leading with org_id) serves it.
CREATE OR REPLACE FUNCTION app_workspace_for_handle(p_handle text, p_now timestamptz)
RETURNS TABLE (workspace_id text, org_id text, current_handle text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT h.workspace_id, h.org_id, c.handle
    FROM workspace_handles h
    JOIN workspace_handles c ON c.org_id = h.org_id AND c.workspace_id = h.workspace_id AND c.expires_at IS NULL
    WHERE h.handle = p_handle AND (h.expires_at IS NULL OR h.expires_at > p_now)
$$;
