-- Undo 0019_admins.
REVOKE SELECT ON _yoyo_migration FROM blossom_panopticon;
DROP TABLE admin_rate_limits;
DROP TABLE admin_enrolment_tokens;
DROP TABLE admin_sessions;
DROP TABLE admin_recovery_codes;
DROP TABLE admins;
DROP FUNCTION app_admins_keep_an_owner();
DROP TYPE admin_role;
REVOKE USAGE ON SCHEMA public FROM blossom_panopticon;
