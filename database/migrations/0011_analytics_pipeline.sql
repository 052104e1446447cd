-- The analytics schema and what the pipeline's role may do. blossom_pipeline (created by
-- provisioning: LOGIN, NOBYPASSRLS) reads, across every organization, only the columns the
-- analytics assets need: no email, name of a person, password hash, token hash, user agent,
-- single-use token or outbox payload, because those columns and tables are never granted. Its
-- reads go through a SELECT-only RLS policy of its own on each table (USING (true)), so it stays
-- subject to RLS (no BYPASSRLS) and every other role's policies are unchanged. It writes only
-- the analytics schema's tables (rows, not DDL: migrations create them).
-- depends: 0010_outbox_retention

GRANT USAGE ON SCHEMA public TO blossom_pipeline;

GRANT SELECT (id, name, created_at) ON orgs TO blossom_pipeline;
GRANT SELECT (id, created_at, email_verified_at) ON users TO blossom_pipeline;
GRANT SELECT (id, org_id, user_id, role, created_at) ON memberships TO blossom_pipeline;
GRANT SELECT (id, user_id, active_org_id, created_at, last_seen_at) ON sessions TO blossom_pipeline;
GRANT SELECT (id, org_id, invited_by, status, created_at) ON invites TO blossom_pipeline;

CREATE POLICY orgs_pipeline_read ON orgs FOR SELECT TO blossom_pipeline USING (true);
CREATE POLICY users_pipeline_read ON users FOR SELECT TO blossom_pipeline USING (true);
CREATE POLICY memberships_pipeline_read ON memberships FOR SELECT TO blossom_pipeline USING (true);
CREATE POLICY sessions_pipeline_read ON sessions FOR SELECT TO blossom_pipeline USING (true);
CREATE POLICY invites_pipeline_read ON invites FOR SELECT TO blossom_pipeline USING (true);

CREATE SCHEMA analytics;
GRANT USAGE ON SCHEMA analytics TO blossom_pipeline;
ALTER DEFAULT PRIVILEGES FOR ROLE blossom_owner IN SCHEMA analytics
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO blossom_pipeline;

-- One row per organization per UTC day, replaced as a whole partition (day) in one transaction.
-- No CHECK (count >= 0): the pipeline's asset checks guard the numbers and report, instead of
-- a failed insert, which day and organization went wrong.
CREATE TABLE analytics.org_daily_activity (
    id text PRIMARY KEY DEFAULT app_new_id('oda') CHECK (id ~ '^oda_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    day date NOT NULL,
    signups integer NOT NULL,
    logins integer NOT NULL,
    active_members integer NOT NULL,
    invites_sent integer NOT NULL,
    invites_accepted integer NOT NULL,
    materialized_at timestamptz NOT NULL,
    UNIQUE (org_id, day)
);
CREATE INDEX org_daily_activity_day_idx ON analytics.org_daily_activity (day);

-- Tenant rows: isolated like every table with org_id, should an app role ever read them.
ALTER TABLE analytics.org_daily_activity ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics.org_daily_activity FORCE ROW LEVEL SECURITY;
CREATE POLICY org_daily_activity_tenant ON analytics.org_daily_activity
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));
CREATE POLICY org_daily_activity_pipeline ON analytics.org_daily_activity TO blossom_pipeline
    USING (true) WITH CHECK (true);

-- The signup funnel over every user, one row per step, replaced as a whole.
CREATE TABLE analytics.signup_funnel (
    id text PRIMARY KEY DEFAULT app_new_id('suf') CHECK (id ~ '^suf_[0-9a-hjkmnp-tv-z]{26}$'),
    step_order integer NOT NULL UNIQUE,
    step text NOT NULL,
    users integer NOT NULL,
    materialized_at timestamptz NOT NULL
);
