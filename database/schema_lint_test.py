import pytest

from database.schema_lint import lint_schema
from database.testing.fixture import T


async def test_the_migrated_schema_follows_every_rule(t: T) -> None:
    async with t.db.owner.acquire() as conn:
        assert await lint_schema(conn) == []


async def test_the_analytics_schema_follows_every_rule(t: T) -> None:
    async with t.db.owner.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM pg_class WHERE relnamespace = 'analytics'::regnamespace") > 0
        assert await lint_schema(conn, "analytics") == []


@pytest.fixture
async def probe_schema(t: T):
    """A scratch schema of deliberately broken tables, dropped afterwards."""
    async with t.db.owner.acquire() as conn:
        await conn.execute("DROP SCHEMA IF EXISTS lint_probe CASCADE; CREATE SCHEMA lint_probe")
        try:
            yield conn
        finally:
            await conn.execute("DROP SCHEMA lint_probe CASCADE")


async def test_each_rule_catches_its_violation(probe_schema) -> None:
    conn = probe_schema
    await conn.execute("""
        CREATE TABLE lint_probe.serial_pk (id bigserial PRIMARY KEY);
        CREATE TABLE lint_probe.no_check (id text PRIMARY KEY);
        CREATE TABLE lint_probe.naive_time (
            id text PRIMARY KEY CHECK (id ~ '^nt_[0-9a-z]{26}$'), happened_at timestamp);
        CREATE TABLE lint_probe.open_tenant (
            id text PRIMARY KEY CHECK (id ~ '^ot_[0-9a-z]{26}$'), org_id text,
            parent_id text REFERENCES lint_probe.no_check (id));
        CREATE TABLE lint_probe.id_first (
            org_id text, id text CHECK (id ~ '^if_[0-9a-z]{26}$'), PRIMARY KEY (id, org_id));
        ALTER TABLE lint_probe.id_first ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
        CREATE POLICY p ON lint_probe.id_first USING (true);
    """)
    problems = await lint_schema(conn, "lint_probe")
    assert sorted(problems) == sorted(
        [
            "no_check: `id` needs a CHECK on its prefix, such as id ~ '^abc_…'",
            "serial_pk: primary key must be a text column `id` (or `org_id, id`)",
            "id_first: primary key must be a text column `id` (or `org_id, id`)",
            "naive_time.happened_at: timestamp without time zone has no time zone; use timestamptz",
            "open_tenant: has org_id, so row-level security must be enabled and forced",
            "open_tenant: has org_id but no row-level security policy",
            "open_tenant: foreign key open_tenant_parent_id_fkey has no index leading with its columns",
        ]
    )


async def test_an_index_on_the_foreign_key_columns_satisfies_the_rule(probe_schema) -> None:
    conn = probe_schema
    await conn.execute("""
        CREATE TABLE lint_probe.parent (id text PRIMARY KEY CHECK (id ~ '^p_[0-9a-z]{26}$'));
        CREATE TABLE lint_probe.child (
            id text PRIMARY KEY CHECK (id ~ '^c_[0-9a-z]{26}$'),
            parent_id text REFERENCES lint_probe.parent (id));
        CREATE INDEX ON lint_probe.child (parent_id, id);
    """)
    assert await lint_schema(conn, "lint_probe") == []


async def test_a_tenant_table_may_lead_its_primary_key_with_org_id(probe_schema) -> None:
    conn = probe_schema
    await conn.execute("""
        CREATE TABLE lint_probe.tenant (
            org_id text NOT NULL, id text NOT NULL CHECK (id ~ '^tn_[0-9a-z]{26}$'), PRIMARY KEY (org_id, id));
        ALTER TABLE lint_probe.tenant ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
        CREATE POLICY p ON lint_probe.tenant USING (true);
    """)
    assert await lint_schema(conn, "lint_probe") == []
