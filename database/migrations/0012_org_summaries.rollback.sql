-- Undo 0012_org_summaries.
DROP TABLE analytics.org_summaries;
