-- Undo 0011_analytics_pipeline (the role itself belongs to provisioning and stays).
DROP SCHEMA analytics CASCADE;

DROP POLICY invites_pipeline_read ON invites;
DROP POLICY sessions_pipeline_read ON sessions;
DROP POLICY memberships_pipeline_read ON memberships;
DROP POLICY users_pipeline_read ON users;
DROP POLICY orgs_pipeline_read ON orgs;

REVOKE SELECT (id, org_id, invited_by, status, created_at) ON invites FROM blossom_pipeline;
REVOKE SELECT (id, user_id, active_org_id, created_at, last_seen_at) ON sessions FROM blossom_pipeline;
REVOKE SELECT (id, org_id, user_id, role, created_at) ON memberships FROM blossom_pipeline;
REVOKE SELECT (id, created_at, email_verified_at) ON users FROM blossom_pipeline;
REVOKE SELECT (id, name, created_at) ON orgs FROM blossom_pipeline;

REVOKE USAGE ON SCHEMA public FROM blossom_pipeline;
