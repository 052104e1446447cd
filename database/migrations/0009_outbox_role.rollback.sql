-- Undo 0009_outbox_role.
REVOKE EXECUTE ON FUNCTION app_outbox_claim(timestamptz, timestamptz, integer),
    app_outbox_complete(text, integer, timestamptz),
    app_outbox_fail(text, integer, text, timestamptz) FROM blossom_outbox;
GRANT EXECUTE ON FUNCTION app_outbox_claim(timestamptz, timestamptz, integer),
    app_outbox_complete(text, integer, timestamptz),
    app_outbox_fail(text, integer, text, timestamptz) TO blossom_app;
