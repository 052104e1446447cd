"""blossom_pipeline reads what analytics needs from every organization, and nothing else; it
writes only the analytics schema (migration 0011)."""

from collections.abc import AsyncIterator

import asyncpg
import pytest

from database.connect import connect
from database.testing.fixture import T
from database.tx import tenant_transaction_on


@pytest.fixture
async def pipeline(t: T) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect(t.db.target.pipeline)
    try:
        yield conn
    finally:
        await conn.close()


async def test_the_role_cannot_bypass_rls_or_create_anything(pipeline: asyncpg.Connection) -> None:
    row = await pipeline.fetchrow(
        "SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )
    assert row is not None and not any(row.values())
    assert await pipeline.fetchval("SELECT has_schema_privilege('analytics', 'CREATE')") is False
    assert await pipeline.fetchval("SELECT has_schema_privilege('public', 'CREATE')") is False
    assert await pipeline.fetchval("SELECT pg_has_role('blossom_app', 'MEMBER')") is False


async def test_it_reads_every_organization_without_a_tenant_context(t: T, pipeline: asyncpg.Connection) -> None:
    first, second = await t.factory.org(), await t.factory.org()
    alice, bob = await t.factory.user(), await t.factory.user()
    await t.factory.membership(first, alice, "owner")
    await t.factory.membership(second, bob, "owner")
    assert await pipeline.fetchval("SELECT count(*) FROM orgs") == 2
    assert await pipeline.fetchval("SELECT count(*) FROM memberships") == 2
    assert await pipeline.fetchval("SELECT count(*) FROM users") == 2
    # Another tenant's context changes nothing: its policy is its own.
    async with tenant_transaction_on(pipeline, user_id=alice.id, org_id=first.id):
        assert await pipeline.fetchval("SELECT count(*) FROM memberships") == 2


@pytest.mark.parametrize(
    "query",
    [
        "SELECT password_hash FROM users",
        "SELECT email FROM users",
        "SELECT display_name FROM users",
        "SELECT * FROM users",
        "SELECT token_hash FROM sessions",
        "SELECT user_agent FROM sessions",
        "SELECT token_hash FROM invites",
        "SELECT email FROM invites",
        "SELECT * FROM user_tokens",
        "SELECT payload FROM outbox",
        "SELECT count(*) FROM outbox",
        "SELECT * FROM rate_limits",
        "SELECT * FROM org_notes",
    ],
)
async def test_it_cannot_read_secrets_personal_data_or_the_outbox(pipeline: asyncpg.Connection, query: str) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pipeline.fetch(query)


async def test_secret_functions_are_not_its_own(pipeline: asyncpg.Connection) -> None:
    for statement in (
        "SELECT * FROM app_login_lookup('a@example.test')",
        "SELECT * FROM app_outbox_claim(now(), now(), 10)",
        "SELECT * FROM app_session_for_token(decode(repeat('00', 32), 'hex'))",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await pipeline.fetch(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO orgs (name) VALUES ('Mine now')",
        "UPDATE orgs SET name = 'Renamed'",
        "DELETE FROM memberships",
        "UPDATE users SET email_verified_at = now()",
        "DELETE FROM sessions",
        "UPDATE invites SET status = 'accepted'",
        "INSERT INTO outbox (kind, payload, available_at, created_at) VALUES ('mail', '{}', now(), now())",
        "TRUNCATE analytics.org_daily_activity",
        "CREATE TABLE analytics.mine (id text)",
        "CREATE TABLE public.mine (id text)",
        "DROP TABLE analytics.signup_funnel",
    ],
)
async def test_it_cannot_write_product_tables_or_change_the_schema(
    t: T, pipeline: asyncpg.Connection, statement: str
) -> None:
    await t.factory.membership(await t.factory.org(), await t.factory.user(), "owner")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pipeline.execute(statement)


async def test_it_writes_the_analytics_schema(t: T, pipeline: asyncpg.Connection) -> None:
    org = await t.factory.org()
    await pipeline.execute(
        "INSERT INTO analytics.org_daily_activity"
        " (org_id, day, signups, logins, active_members, invites_sent, invites_accepted, materialized_at)"
        " VALUES ($1, '2026-01-01', 1, 2, 3, 4, 5, now())",
        org.id,
    )
    assert await pipeline.execute("UPDATE analytics.org_daily_activity SET logins = 7") == "UPDATE 1"
    await pipeline.execute(
        "INSERT INTO analytics.signup_funnel (step_order, step, users, materialized_at) VALUES (1, 'x', 1, now())"
    )
    assert await pipeline.execute("DELETE FROM analytics.signup_funnel") == "DELETE 1"
    async with t.db.owner.acquire() as conn:
        assert await conn.fetchval("SELECT logins FROM analytics.org_daily_activity") == 7


async def test_the_request_role_cannot_see_analytics(t: T) -> None:
    async with t.db.app.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT * FROM analytics.org_daily_activity")


async def test_reset_empties_the_analytics_tables(t: T) -> None:
    org = await t.factory.org()
    async with t.db.owner.acquire() as conn:
        await conn.execute(
            "INSERT INTO analytics.signup_funnel (step_order, step, users, materialized_at) VALUES (1, 'x', 1, now());"
            "INSERT INTO analytics.org_daily_activity"
            " (org_id, day, signups, logins, active_members, invites_sent, invites_accepted, materialized_at)"
            f" VALUES ('{org.id}', '2026-01-01', 0, 0, 0, 0, 0, now())"
        )
        await conn.execute("SELECT blossom_test.reset()")
        assert await conn.fetchval("SELECT count(*) FROM analytics.signup_funnel") == 0
        assert await conn.fetchval("SELECT count(*) FROM analytics.org_daily_activity") == 0
