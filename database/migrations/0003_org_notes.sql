-- A small tenant table that proves the pattern end to end: org_id leads every index, RLS is
-- enabled and forced, and the policy compares with the transaction's tenant context.
-- depends: 0002_orgs_and_users

CREATE TABLE org_notes (
    id text PRIMARY KEY DEFAULT app_new_id('note') CHECK (id ~ '^note_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    author_id text REFERENCES users (id) ON DELETE SET NULL,
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX org_notes_org_id_created_at_idx ON org_notes (org_id, created_at);
-- Serves the foreign key's ON DELETE action, which runs outside any tenant context.
CREATE INDEX org_notes_author_id_idx ON org_notes (author_id);

ALTER TABLE org_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY org_notes_tenant ON org_notes
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));
