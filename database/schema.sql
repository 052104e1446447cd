-- Generated from database/migrations by `just migrate` (python -m tools.db schema). Do not edit.

--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA public;

--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA public IS 'standard public schema';

--
-- Name: app_current_org_id(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_current_org_id() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT nullif(current_setting('app.org_id', true), '')
$$;

--
-- Name: app_current_user_id(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_current_user_id() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT nullif(current_setting('app.user_id', true), '')
$$;

--
-- Name: app_new_id(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_new_id(prefix text) RETURNS text
    LANGUAGE plpgsql PARALLEL SAFE
    AS $_$
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
$_$;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: org_notes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.org_notes (
    id text DEFAULT public.app_new_id('note'::text) NOT NULL,
    org_id text NOT NULL,
    author_id text,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT org_notes_body_check CHECK (((length(body) >= 1) AND (length(body) <= 10000))),
    CONSTRAINT org_notes_id_check CHECK ((id ~ '^note_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.org_notes FORCE ROW LEVEL SECURITY;

--
-- Name: orgs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orgs (
    id text DEFAULT public.app_new_id('org'::text) NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT orgs_id_check CHECK ((id ~ '^org_[0-9a-hjkmnp-tv-z]{26}$'::text)),
    CONSTRAINT orgs_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200)))
);

ALTER TABLE ONLY public.orgs FORCE ROW LEVEL SECURITY;

--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id text DEFAULT public.app_new_id('usr'::text) NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_display_name_check CHECK (((length(display_name) >= 1) AND (length(display_name) <= 200))),
    CONSTRAINT users_email_check CHECK ((email ~~ '%_@_%'::text)),
    CONSTRAINT users_id_check CHECK ((id ~ '^usr_[0-9a-hjkmnp-tv-z]{26}$'::text))
);

ALTER TABLE ONLY public.users FORCE ROW LEVEL SECURITY;

--
-- Name: org_notes org_notes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.org_notes
    ADD CONSTRAINT org_notes_pkey PRIMARY KEY (id);

--
-- Name: orgs orgs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgs
    ADD CONSTRAINT orgs_pkey PRIMARY KEY (id);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

--
-- Name: org_notes_author_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX org_notes_author_id_idx ON public.org_notes USING btree (author_id);

--
-- Name: org_notes_org_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX org_notes_org_id_created_at_idx ON public.org_notes USING btree (org_id, created_at);

--
-- Name: users_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));

--
-- Name: org_notes org_notes_author_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.org_notes
    ADD CONSTRAINT org_notes_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.users(id) ON DELETE SET NULL;

--
-- Name: org_notes org_notes_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.org_notes
    ADD CONSTRAINT org_notes_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(id) ON DELETE CASCADE;

--
-- Name: org_notes; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.org_notes ENABLE ROW LEVEL SECURITY;

--
-- Name: org_notes org_notes_tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY org_notes_tenant ON public.org_notes USING ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((org_id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: orgs; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY;

--
-- Name: orgs orgs_active_org; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY orgs_active_org ON public.orgs USING ((id = ( SELECT public.app_current_org_id() AS app_current_org_id))) WITH CHECK ((id = ( SELECT public.app_current_org_id() AS app_current_org_id)));

--
-- Name: users; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

--
-- Name: users users_self; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY users_self ON public.users USING ((id = ( SELECT public.app_current_user_id() AS app_current_user_id))) WITH CHECK ((id = ( SELECT public.app_current_user_id() AS app_current_user_id)));

--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA public TO blossom_app;

--
-- Name: TABLE org_notes; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.org_notes TO blossom_app;

--
-- Name: TABLE orgs; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.orgs TO blossom_app;

--
-- Name: TABLE users; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.users TO blossom_app;

--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: public; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE blossom_owner IN SCHEMA public GRANT SELECT,USAGE ON SEQUENCES TO blossom_app;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: public; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE blossom_owner IN SCHEMA public GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES TO blossom_app;

--
-- PostgreSQL database dump complete
--
