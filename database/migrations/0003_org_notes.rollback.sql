DROP TABLE org_notes;
