-- The graph module (issue 12): an organization's node types (a name and a JSON Schema), its nodes
-- (JSONB documents of a type) and typed relationships between two of its nodes. Citus-ready:
-- primary keys and unique constraints lead with org_id and every foreign key between these tables
-- includes it, so a relationship to another organization's node cannot exist even for a role that
-- bypasses RLS (the referenced row would have to carry this org_id).
-- depends: 0015_api_keys

-- A GIN index over (org_id, data): a containment filter reads only this organization's entries.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE graph_node_types (
    id text NOT NULL DEFAULT app_new_id('nty') CHECK (id ~ '^nty_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    schema jsonb NOT NULL CHECK (jsonb_typeof(schema) IN ('object', 'boolean') AND octet_length(schema::text) <= 131072),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, id),
    CONSTRAINT graph_node_types_name_key UNIQUE (org_id, name)
);
ALTER TABLE graph_node_types ENABLE ROW LEVEL SECURITY;
ALTER TABLE graph_node_types FORCE ROW LEVEL SECURITY;
CREATE POLICY graph_node_types_tenant ON graph_node_types
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

-- Deleting a type that still has nodes fails on the foreign key (NO ACTION): the route deletes the
-- nodes first only when asked to cascade, under a lock on the type row.
CREATE TABLE graph_nodes (
    id text NOT NULL DEFAULT app_new_id('nod') CHECK (id ~ '^nod_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    node_type_id text NOT NULL,
    data jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object' AND octet_length(data::text) <= 131072),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, id),
    CONSTRAINT graph_nodes_node_type_fkey FOREIGN KEY (org_id, node_type_id) REFERENCES graph_node_types (org_id, id)
);
-- Listing by type in id order (keyset pagination) and the type's foreign key.
CREATE INDEX graph_nodes_org_id_node_type_id_idx ON graph_nodes (org_id, node_type_id, id);
-- Containment (`data @> filter`) within one organization.
CREATE INDEX graph_nodes_org_id_data_idx ON graph_nodes USING gin (org_id, data jsonb_path_ops);
ALTER TABLE graph_nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE graph_nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY graph_nodes_tenant ON graph_nodes
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));

-- A node's relationships go with it (ON DELETE CASCADE: the same statement, so the same transaction).
CREATE TABLE graph_relationships (
    id text NOT NULL DEFAULT app_new_id('rel') CHECK (id ~ '^rel_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    source_id text NOT NULL,
    target_id text NOT NULL,
    type text NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
    data jsonb CHECK (data IS NULL OR (jsonb_typeof(data) = 'object' AND octet_length(data::text) <= 131072)),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, id),
    CONSTRAINT graph_relationships_source_fkey FOREIGN KEY (org_id, source_id)
        REFERENCES graph_nodes (org_id, id) ON DELETE CASCADE,
    CONSTRAINT graph_relationships_target_fkey FOREIGN KEY (org_id, target_id)
        REFERENCES graph_nodes (org_id, id) ON DELETE CASCADE
);
CREATE INDEX graph_relationships_org_id_source_id_idx ON graph_relationships (org_id, source_id, type, id);
CREATE INDEX graph_relationships_org_id_target_id_idx ON graph_relationships (org_id, target_id, type, id);
CREATE INDEX graph_relationships_org_id_type_idx ON graph_relationships (org_id, type, id);
ALTER TABLE graph_relationships ENABLE ROW LEVEL SECURITY;
ALTER TABLE graph_relationships FORCE ROW LEVEL SECURITY;
CREATE POLICY graph_relationships_tenant ON graph_relationships
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));
