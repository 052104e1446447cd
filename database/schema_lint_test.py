import pytest
from yoyo import get_backend, read_migrations

from database.connect import connect
from database.migrate import MIGRATIONS_DIR, apply_migrations
from database.schema_lint import GLOBAL_UNIQUE, lint_schema
from database.target import DatabaseTarget
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
            "serial_pk: primary key must be a single text column `id`",
            "id_first: has org_id, so its primary key must be (org_id, id), id text"
            " (Citus distributes tenant tables by org_id)",
            "naive_time.happened_at: timestamp without time zone has no time zone; use timestamptz",
            "open_tenant: has org_id, so its primary key must be (org_id, id), id text"
            " (Citus distributes tenant tables by org_id)",
            "open_tenant: has org_id, so row-level security must be enabled and forced",
            "open_tenant: has org_id but no row-level security policy",
            "open_tenant: foreign key open_tenant_parent_id_fkey has no index leading with its columns",
        ]
    )


def _tenant_table(name: str, prefix: str, columns: str) -> str:
    """A tenant table that passes every rule but the ones its `columns` break."""
    return f"""
        CREATE TABLE lint_probe.{name} (
            id text CHECK (id ~ '^{prefix}_[0-9a-z]{{26}}$'), org_id text REFERENCES public.orgs (id), {columns});
        ALTER TABLE lint_probe.{name} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant ON lint_probe.{name} USING (org_id = (SELECT app_current_org_id()));
    """


async def test_tenant_tables_must_be_ready_for_citus(probe_schema) -> None:
    conn = probe_schema
    await conn.execute(
        _tenant_table("parent", "p", "token text, PRIMARY KEY (org_id, id), UNIQUE (org_id, token), UNIQUE (id)")
        + "CREATE UNIQUE INDEX parent_token_idx ON lint_probe.parent (token) WHERE token IS NOT NULL;"
        + "CREATE UNIQUE INDEX parent_lower_token_idx ON lint_probe.parent (lower(token));"
        + _tenant_table(
            "child",
            "c",
            "parent_id text, partner_org_id text REFERENCES public.orgs (id), PRIMARY KEY (id),"
            " FOREIGN KEY (parent_id) REFERENCES lint_probe.parent (id)",
        )
        + _tenant_table(
            "good_child",
            "g",
            "parent_id text, PRIMARY KEY (org_id, id),"
            " FOREIGN KEY (org_id, parent_id) REFERENCES lint_probe.parent (org_id, id)",
        )
        + """
        CREATE INDEX ON lint_probe.child (org_id);
        CREATE INDEX ON lint_probe.child (parent_id);
        CREATE INDEX ON lint_probe.child (partner_org_id);
        CREATE INDEX ON lint_probe.good_child (org_id, parent_id);
        """
    )
    assert sorted(await lint_schema(conn, "lint_probe")) == sorted(
        [
            "child: has org_id, so its primary key must be (org_id, id), id text"
            " (Citus distributes tenant tables by org_id)",
            "parent: unique index parent_id_key must lead with org_id (or be listed in GLOBAL_UNIQUE with its reason)",
            "parent: unique index parent_token_idx must lead with org_id"
            " (or be listed in GLOBAL_UNIQUE with its reason)",
            "parent: unique index parent_lower_token_idx must lead with org_id"
            " (or be listed in GLOBAL_UNIQUE with its reason)",
            "child: foreign key child_parent_id_fkey must include org_id, paired with the referenced table's org_id"
            " (orgs: its id)",
            "child: foreign key child_partner_org_id_fkey must include org_id, paired with the referenced table's"
            " org_id (orgs: its id)",
        ]
    )


async def test_orgs_is_the_home_of_the_distribution_key(t: T) -> None:
    # Its id is every tenant row's org_id: a single-column key, and the one exception the rule lists is a reason.
    async with t.db.owner.acquire() as conn:
        assert not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'orgs'::regclass AND attname = 'org_id')"
        )
        primary_key = (
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'"
        )
        assert await conn.fetchval(primary_key, "orgs") == "PRIMARY KEY (id)"
        assert await conn.fetchval(primary_key, "memberships") == "PRIMARY KEY (org_id, id)"
    assert all(len(reason) > 40 for reason in GLOBAL_UNIQUE.values())


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


CITUS_MIGRATION = "0017_tenant_keys_lead_with_org"


async def test_the_citus_migration_is_what_makes_the_schema_pass_and_it_rolls_back(
    scratch_database: DatabaseTarget,
) -> None:
    apply_migrations(scratch_database)
    backend = get_backend(scratch_database.owner.render(scheme="postgresql+psycopg"))
    try:
        migrations = read_migrations(str(MIGRATIONS_DIR))
        with backend.lock():
            backend.rollback_migrations(migrations.filter(lambda m: m.id == CITUS_MIGRATION))
    finally:
        backend.connection.close()
    conn = await connect(scratch_database.owner)
    try:
        before = await lint_schema(conn)
        assert "memberships: has org_id, so its primary key must be (org_id, id), id text" in "\n".join(before)
        assert any("messages_conversation_id_fkey must include org_id" in p for p in before), before
        assert any("invites_token_hash_key must lead with org_id" in p for p in before), before
        apply_migrations(scratch_database)
        assert await lint_schema(conn) == []
        assert await lint_schema(conn, "analytics") == []
    finally:
        await conn.close()
