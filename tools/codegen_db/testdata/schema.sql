-- The golden fixture's schema: every type and annotation the generator maps.
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TYPE mood AS ENUM ('happy', 'sad', 'so-so');

CREATE DOMAIN email_address AS citext CHECK (VALUE LIKE '%_@_%');

CREATE TABLE kitchen_sink (
    id text PRIMARY KEY,
    label text NOT NULL,
    nickname varchar(40),
    email email_address NOT NULL,
    handle citext,
    small smallint NOT NULL,
    count integer NOT NULL,
    big bigint,
    ratio double precision,
    amount numeric(12, 2) NOT NULL,
    flag boolean NOT NULL,
    happened_at timestamptz NOT NULL,
    day date,
    pause interval,
    token uuid,
    blob bytea,
    feeling mood NOT NULL,
    old_feeling mood,
    tags text[] NOT NULL,
    scores integer[],
    settings jsonb NOT NULL,
    extra jsonb,
    legacy json
);
