-- Undo 0005_org_keeps_an_owner.
DROP TRIGGER memberships_org_keeps_an_owner ON memberships;
DROP FUNCTION app_org_keeps_an_owner();
