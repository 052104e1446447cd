-- Organizations (the tenants) and users. Both are row-level secured: a request sees its own
-- user and its active organization, nothing else.
-- depends: 0001_tenancy_foundation

CREATE TABLE orgs (
    id text PRIMARY KEY DEFAULT app_new_id('org') CHECK (id ~ '^org_[0-9a-hjkmnp-tv-z]{26}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
ALTER TABLE orgs FORCE ROW LEVEL SECURITY;
CREATE POLICY orgs_active_org ON orgs
    USING (id = (SELECT app_current_org_id()))
    WITH CHECK (id = (SELECT app_current_org_id()));

CREATE TABLE users (
    id text PRIMARY KEY DEFAULT app_new_id('usr') CHECK (id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'),
    email text NOT NULL CHECK (email LIKE '%_@_%'),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_self ON users
    USING (id = (SELECT app_current_user_id()))
    WITH CHECK (id = (SELECT app_current_user_id()));
