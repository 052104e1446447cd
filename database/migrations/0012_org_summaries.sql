-- Weekly summaries of each organization's activity, written by the pipeline's org_summaries
-- asset (one LLM paragraph per organization per week, replaced as a whole week).
-- depends: 0011_analytics_pipeline

CREATE TABLE analytics.org_summaries (
    id text PRIMARY KEY DEFAULT app_new_id('osm') CHECK (id ~ '^osm_[0-9a-hjkmnp-tv-z]{26}$'),
    org_id text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    week_start date NOT NULL,
    summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
    model text NOT NULL,
    materialized_at timestamptz NOT NULL,
    UNIQUE (org_id, week_start)
);
CREATE INDEX org_summaries_week_start_idx ON analytics.org_summaries (week_start);

ALTER TABLE analytics.org_summaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics.org_summaries FORCE ROW LEVEL SECURITY;
CREATE POLICY org_summaries_tenant ON analytics.org_summaries
    USING (org_id = (SELECT app_current_org_id()))
    WITH CHECK (org_id = (SELECT app_current_org_id()));
CREATE POLICY org_summaries_pipeline ON analytics.org_summaries TO blossom_pipeline
    USING (true) WITH CHECK (true);
