-- Only the outbox worker's role may claim, complete or fail outbox rows. 0006 granted those
-- functions to the request role, so any code running as blossom_app (a bug, an injection) could
-- claim every pending row and read the one-time codes in them, or mark mail delivered unsent.
-- blossom_outbox (created by provisioning, a member of blossom_app) runs the worker; requests
-- keep INSERT on the outbox and nothing more.
-- depends: 0008_rate_limit_expiry

REVOKE EXECUTE ON FUNCTION app_outbox_claim(timestamptz, timestamptz, integer),
    app_outbox_complete(text, integer, timestamptz),
    app_outbox_fail(text, integer, text, timestamptz) FROM blossom_app;
GRANT EXECUTE ON FUNCTION app_outbox_claim(timestamptz, timestamptz, integer),
    app_outbox_complete(text, integer, timestamptz),
    app_outbox_fail(text, integer, text, timestamptz) TO blossom_outbox;
