-- Tenancy building blocks every later migration uses: id generation, the tenant context
-- functions that RLS policies call, and default privileges for the application role.
-- depends:

-- Nobody but the owner creates objects in public (PostgreSQL < 15 let everyone).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO blossom_app;

-- Tables the owner creates from now on are readable and writable by the application role;
-- RLS policies decide which rows. Sequences and functions likewise.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO blossom_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO blossom_app;

-- Ids: `<prefix>_` + 10 base32 characters of epoch milliseconds (left-padded, so text order is
-- time order) + 16 random base32 characters. The same format as foundation/ids.py.
CREATE FUNCTION app_new_id(prefix text) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
DECLARE
    alphabet constant text := '0123456789abcdefghjkmnpqrstvwxyz';
    millis bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    -- 20 bytes from two v4 UUIDs, skipping the version and variant bytes (6 and 8).
    entropy bytea := substring(uuid_send(gen_random_uuid()) FROM 1 FOR 6)
        || substring(uuid_send(gen_random_uuid()) FROM 10 FOR 7)
        || substring(uuid_send(gen_random_uuid()) FROM 10 FOR 7);
    body text := '';
BEGIN
    IF prefix !~ '^[a-z]{2,8}$' THEN
        RAISE EXCEPTION 'id prefix must be 2-8 lowercase letters, got %', prefix;
    END IF;
    FOR i IN REVERSE 9..0 LOOP
        body := body || substr(alphabet, ((millis >> (5 * i)) & 31)::int + 1, 1);
    END LOOP;
    FOR i IN 0..15 LOOP
        body := body || substr(alphabet, (get_byte(entropy, i) & 31) + 1, 1);
    END LOOP;
    RETURN prefix || '_' || body;
END
$$;

-- The tenant context, set per transaction with set_config(name, value, true) by
-- database/tx.py. Policies wrap calls as (SELECT app_current_org_id()) so the planner runs
-- them once per query. An unset context reads as NULL, which matches no row.
CREATE FUNCTION app_current_user_id() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('app.user_id', true), '')
$$;

CREATE FUNCTION app_current_org_id() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('app.org_id', true), '')
$$;
