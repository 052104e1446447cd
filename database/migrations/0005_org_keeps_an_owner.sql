-- An organization always keeps at least one owner, enforced by the database so that no
-- interleaving of concurrent requests can break it (two owners leaving, or demoting each other,
-- at the same moment). Reading the owner count in the application and then writing is a race.
--
-- After a membership stops being an owner's (demoted, moved, removed), the trigger locks the
-- organization's row, then counts its owners. The lock makes every change of an organization's
-- owners wait for the one before it to commit; in READ COMMITTED each statement of the function
-- sees what committed before it began, so the count after the lock sees the earlier change.
-- FOR NO KEY UPDATE does not conflict with the key-share locks that foreign keys take.
-- An organization deleted in this transaction (its memberships go with it) needs no owner.
-- depends: 0004_accounts_sessions_memberships

CREATE FUNCTION app_org_keeps_an_owner()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF OLD.role <> 'owner' OR (TG_OP = 'UPDATE' AND NEW.role = 'owner' AND NEW.org_id = OLD.org_id) THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM orgs WHERE id = OLD.org_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships WHERE org_id = OLD.org_id AND role = 'owner') THEN
        RAISE EXCEPTION 'organization % would be left without an owner', OLD.org_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'memberships_org_keeps_an_owner';
    END IF;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION app_org_keeps_an_owner() FROM PUBLIC;

CREATE TRIGGER memberships_org_keeps_an_owner
    AFTER UPDATE OF role, org_id OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION app_org_keeps_an_owner();
