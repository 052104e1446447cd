"""blossom_panopticon sees its own tables (administrators, their sessions, codes and limits) and,
for the support tools, the product's account and organization rows across tenants, column by
column, never a secret (migration 0020), writing only its short list; the product's roles see
none of its tables (migration 0019)."""

import json
from collections.abc import AsyncIterator

import asyncpg
import pytest

from database.connect import connect
from database.testing.fixture import T

ADMIN_TABLES = [
    "admins",
    "admin_recovery_codes",
    "admin_sessions",
    "admin_enrolment_tokens",
    "admin_rate_limits",
    "impersonations",
]


@pytest.fixture
async def panopticon(t: T) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect(t.db.target.panopticon)
    try:
        yield conn
    finally:
        await conn.close()


async def _admin(t: T) -> str:
    async with t.db.owner.acquire() as conn:
        return await conn.fetchval("INSERT INTO admins (email, role) VALUES ('a@example.com', 'owner') RETURNING id")


async def test_the_role_cannot_bypass_rls_own_tables_or_act_as_the_app(panopticon: asyncpg.Connection) -> None:
    row = await panopticon.fetchrow(
        "SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )
    assert row is not None and not any(row.values())
    assert await panopticon.fetchval("SELECT pg_has_role('blossom_app', 'MEMBER')") is False
    assert await panopticon.fetchval("SELECT pg_has_role('blossom_owner', 'MEMBER')") is False
    assert await panopticon.fetchval("SELECT has_schema_privilege('public', 'CREATE')") is False
    owned = await panopticon.fetchval(
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
    )
    assert owned == 0


@pytest.mark.parametrize("table", ADMIN_TABLES)
async def test_the_product_roles_cannot_read_or_write_admin_tables(t: T, table: str) -> None:
    await _admin(t)
    for pool in (t.db.app, t.db.outbox):
        async with pool.acquire() as conn:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetch(f"SELECT * FROM {table}")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f"DELETE FROM {table}")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM users",  # the password hash is not granted
        "SELECT password_hash FROM users",
        "SELECT * FROM sessions",
        "SELECT token_hash FROM sessions",
        "SELECT token_hash FROM invites",
        "SELECT * FROM user_tokens",
        "SELECT * FROM org_notes",
        "SELECT * FROM outbox",
        "SELECT * FROM rate_limits",
        "INSERT INTO orgs (name) VALUES ('x')",
        "UPDATE orgs SET name = 'x'",
        "UPDATE users SET email = 'x@example.com'",
        "UPDATE users SET password_hash = 'x'",
        "DELETE FROM users",
        "INSERT INTO memberships (org_id, user_id, role) VALUES ('org_x', 'usr_x', 'owner')",
        "UPDATE memberships SET user_id = 'usr_x'",
        "UPDATE invites SET email = 'x@example.com'",
        "INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ('usr_x', sha256('t'), now())",
        "UPDATE audit_log SET reason = 'x'",
        "DELETE FROM platform_audit_log",
        "DELETE FROM admins",
        "UPDATE admins SET email = 'x@example.com'",
        "UPDATE admins SET id = 'adm_x'",
        "TRUNCATE admin_sessions",
        "DELETE FROM impersonations",
        "UPDATE impersonations SET writes = true",
        "UPDATE impersonations SET redeemed_at = now()",
        "SELECT app_impersonation_redeem(sha256('c'), now())",
    ],
)
async def test_panopticon_touches_nothing_outside_its_write_list(
    t: T, panopticon: asyncpg.Connection, query: str
) -> None:
    await _admin(t)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await panopticon.execute(query)


async def test_panopticon_reads_and_writes_its_own_tables(t: T, panopticon: asyncpg.Connection) -> None:
    admin_id = await _admin(t)
    assert await panopticon.fetchval("SELECT count(*) FROM admins") == 1
    await panopticon.execute("UPDATE admins SET role = 'viewer' WHERE id = $1", admin_id)  # not enrolled: no rule
    await panopticon.execute(
        "INSERT INTO admin_sessions (admin_id, token_hash, created_at, last_seen_at, expires_at)"
        " VALUES ($1, sha256('t'), now(), now(), now() + interval '1 hour')",
        admin_id,
    )
    assert await panopticon.fetchval("DELETE FROM admin_sessions RETURNING 1") == 1


async def test_panopticon_reads_across_organizations_and_writes_its_support_list(
    t: T, panopticon: asyncpg.Connection
) -> None:
    """Migration 0020: no tenant context, yet every organization's rows (non-secret columns)."""
    a, b = await t.factory.org(name="A"), await t.factory.org(name="B")
    user = await t.factory.user()
    await t.factory.membership(a, user, "owner")
    await t.factory.membership(b, user, "member")
    await t.factory.session(user, org=a)
    await t.factory.invite(b)
    assert await panopticon.fetchval("SELECT count(*) FROM orgs") == 2
    assert await panopticon.fetchval("SELECT count(*) FROM memberships") == 2
    assert await panopticon.fetchval("SELECT count(*) FROM users WHERE email = $1", user.email) == 1
    assert await panopticon.fetchval("SELECT count(*) FROM sessions WHERE user_id = $1", user.id) == 1
    assert await panopticon.fetchval("SELECT count(*) FROM invites WHERE org_id = $1", b.id) == 1
    async with panopticon.transaction():
        assert await panopticon.fetchval("SELECT app_panopticon_lock_org($1)", a.id) is True
        await panopticon.execute("UPDATE users SET disabled_at = now() WHERE id = $1", user.id)
        await panopticon.execute("UPDATE memberships SET role = 'admin' WHERE org_id = $1", b.id)
        await panopticon.execute("UPDATE invites SET status = 'cancelled' WHERE org_id = $1", b.id)
        await panopticon.execute("DELETE FROM sessions WHERE user_id = $1", user.id)
        await panopticon.execute("DELETE FROM memberships WHERE org_id = $1", b.id)
        await panopticon.execute("DELETE FROM orgs WHERE id = $1", b.id)
        queue = "SELECT app_panopticon_enqueue_account_mail($1, $2, now())"
        assert await panopticon.fetchval(queue, "password_reset_requested", user.id) is True
    payload = await t.db.owner.fetchval("SELECT payload FROM outbox")
    assert json.loads(payload) == {"email": user.email.lower()}  # built from the user's row
    # Any other mail, or a row of its own making, is refused (review finding: an INSERT on the
    # outbox let the role queue any mail to anyone under the product's name).
    for statement, args in (
        ("SELECT app_panopticon_enqueue_account_mail($1, $2, now())", ("mail", user.id)),
        ("INSERT INTO outbox (kind, payload, available_at, created_at) VALUES ('mail', '{}', now(), now())", ()),
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await panopticon.execute(statement, *args)
    assert await t.db.owner.fetchval("SELECT count(*) FROM orgs") == 1
    async with t.db.app.acquire() as conn:  # the lock is panopticon's alone
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetchval("SELECT app_panopticon_lock_org($1)", a.id)


async def test_the_product_cannot_use_panopticons_impersonation_functions(t: T) -> None:
    """The app redeems codes; it can neither look users up for panopticon nor end sessions by
    impersonation (migration 0021)."""
    async with t.db.app.acquire() as conn:
        for query in (
            "SELECT * FROM app_impersonation_target('usr_00000000000000000000000000')",
            "SELECT app_impersonation_end_sessions('imp_00000000000000000000000000')",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(query)
