"""A session seen before is checked in the statement that begins the request's transaction: one
round trip fewer, and every change in the database (logout, another organization, another role,
a lost membership, expiry) is honoured on the very next request."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from asyncpg.connection import LoggedQuery

from database.connect import PgConnection, create_pool
from database.connection_pool import ConnectionPool
from database.testing.fixture import T
from database.tx import tenant_transaction_leased
from foundation.rpc import ANONYMOUS, OrgPrincipal, Principal, UserPrincipal
from foundation.rpc.dispatch import anonymous
from foundation.rpc.request import Lease
from foundation.settings import load_settings
from product.accounts.sessions import IDLE_TIMEOUT, TOUCH_INTERVAL, SessionAuthenticator
from product.services import session_key
from product.testing import product_harness, signed_in_session


async def _member_session(t: T, role: str = "owner") -> tuple[str, str, str]:
    """(cookie token, user id, org id) of a member's session active in their organization."""
    org = await t.factory.org()
    user = await t.factory.user()
    await t.factory.membership(org, user, role)  # type: ignore[arg-type]
    return await signed_in_session(t, user_id=user.id, org_id=org.id), user.id, org.id


async def test_a_seen_sessions_check_and_the_tenant_context_travel_in_one_round_trip(t: T) -> None:
    token, _, org_id = await _member_session(t)
    await t.db.owner.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, 'one')", org_id)
    other, _, other_org = await _member_session(t)
    statements: list[str] = []

    def record(query: LoggedQuery) -> None:
        statements.append(query.query)

    async with product_harness(t, DATABASE_POOL_SIZE="1") as product:
        async with product.database.pool.acquire() as conn:  # the app's only connection
            conn.add_query_logger(record)

        async def note_count(cookie: str) -> tuple[dict, list[str]]:
            statements.clear()
            response = await product.http.get("/rpc/demo.note_count", headers={"cookie": f"blossom_session={cookie}"})
            assert response.status_code == 200, response.text
            await asyncio.sleep(0.05)  # asyncpg calls query loggers soon after, not at once
            return response.json(), list(statements)

        await note_count(other)  # warm up: the statements asyncpg prepares and introspects once
        first, looked_up = await note_count(token)
        second, checked = await note_count(token)
        assert first == second == {"org_id": org_id, "notes": 1}
        assert len(looked_up) == 4  # session lookup, BEGIN with the context, the count, COMMIT
        assert len(checked) == 3  # BEGIN with the session's check and the context, the count, COMMIT
        assert checked[0].startswith("BEGIN;") and "app_session_unchanged" in checked[0]
        # Another member's session on the same worker: its own check, its own organization's rows.
        assert (await note_count(other))[0] == {"org_id": other_org, "notes": 0}
        assert (await note_count(other))[0] == {"org_id": other_org, "notes": 0}
        assert (await note_count(token))[0] == {"org_id": org_id, "notes": 1}


async def test_parallel_requests_of_a_seen_session_all_take_the_one_round_trip_check(t: T) -> None:
    # A page fires several calls at once with one cookie: each is checked in its BEGIN, none is
    # looked up again because another of them was in flight.
    token, user_id, org_id = await _member_session(t)
    authenticator = SessionAuthenticator(t.clock, session_key(load_settings({})), fallback=anonymous)
    pool = await create_pool(t.db.target.app, min_size=8, max_size=8)
    try:
        async with _authenticated(authenticator, pool, token) as (principal, lease):
            assert lease._begun is None  # the first request looks the session up
            await _context_seen(principal, lease)

        async def one() -> tuple[bool, tuple[str | None, str | None, int]]:
            async with _authenticated(authenticator, pool, token) as (principal, lease):
                checked = lease._begun is not None
                await asyncio.sleep(0.01)  # all of them in flight together
                return checked, await _context_seen(principal, lease)

        results = await asyncio.gather(*(one() for _ in range(8)))
        assert results == [(True, (user_id, org_id, 0))] * 8
    finally:
        await pool.close()


@asynccontextmanager
async def _authenticated(
    authenticator: SessionAuthenticator, pool: ConnectionPool, token: str
) -> AsyncIterator[tuple[Principal, Lease]]:
    lease = Lease(partial(pool.acquire))
    try:
        yield await authenticator({b"cookie": f"blossom_session={token}".encode()}, lease), lease
    finally:
        await lease.release()


async def _context_seen(principal: Principal, lease: Lease) -> tuple[str | None, str | None, int]:
    """(user id, org id) of the tenant context the request's transaction has, and its note count."""
    begun = lease.take_begun((principal.user_id, principal.org_id))
    transaction = begun or tenant_transaction_leased(
        lease.connection, user_id=principal.user_id, org_id=principal.org_id
    )
    async with transaction as conn:
        row = await conn.fetchrow(
            "SELECT app_current_user_id() AS u, app_current_org_id() AS o, (SELECT count(*) FROM org_notes) AS n"
        )
    assert row is not None
    return row["u"], row["o"], row["n"]


async def test_every_change_to_a_seen_session_is_honoured_on_the_next_request(t: T) -> None:
    token, user_id, org_id = await _member_session(t, "owner")
    co_owner = await t.factory.user()
    await t.db.owner.execute(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'owner', now())",
        org_id,
        co_owner.id,
    )
    second_org = await t.factory.org()
    await t.db.owner.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, 'theirs')", second_org.id)
    await t.db.owner.execute(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'member', now())",
        second_org.id,
        user_id,
    )
    authenticator = SessionAuthenticator(t.clock, session_key(load_settings({})), fallback=anonymous)
    pool = t.db.app

    async def principal_and_context() -> tuple[Principal, tuple[str | None, str | None, int], bool]:
        async with _authenticated(authenticator, pool, token) as (principal, lease):
            checked = lease._begun is not None  # the fast path began the transaction
            seen = await _context_seen(principal, lease) if principal.user_id else (None, None, 0)
        return principal, seen, checked

    principal, context, checked = await principal_and_context()
    assert isinstance(principal, OrgPrincipal) and principal.role == "owner" and not checked  # looked up
    assert context == (user_id, org_id, 0)
    principal, context, checked = await principal_and_context()
    assert (principal.role, context, checked) == ("owner", (user_id, org_id, 0), True)

    await t.db.owner.execute(
        "UPDATE memberships SET role = 'admin' WHERE org_id = $1 AND user_id = $2", org_id, user_id
    )
    principal, context, checked = await principal_and_context()
    assert (principal.role, context, checked) == ("admin", (user_id, org_id, 0), False)

    await t.db.owner.execute("UPDATE sessions SET active_org_id = $1 WHERE user_id = $2", second_org.id, user_id)
    principal, context, checked = await principal_and_context()
    assert (principal.org_id, principal.role, context) == (second_org.id, "member", (user_id, second_org.id, 1))
    assert (await principal_and_context())[2]  # seen again: checked in one round trip

    await t.db.owner.execute("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2", second_org.id, user_id)
    principal, context, _ = await principal_and_context()
    assert isinstance(principal, UserPrincipal) and context == (user_id, None, 0)
    assert (await principal_and_context())[2]

    t.clock.advance(TOUCH_INTERVAL + dt.timedelta(seconds=1))  # the touch is due: looked up again
    assert not (await principal_and_context())[2]
    assert (await principal_and_context())[2]

    await t.db.owner.execute("UPDATE sessions SET expires_at = $1 WHERE user_id = $2", t.clock.now(), user_id)
    assert (await principal_and_context())[0] == ANONYMOUS
    await t.db.owner.execute(
        "UPDATE sessions SET expires_at = $1 WHERE user_id = $2", t.clock.now() + IDLE_TIMEOUT, user_id
    )
    assert (await principal_and_context())[0] != ANONYMOUS
    assert (await principal_and_context())[2]
    await t.db.owner.execute("DELETE FROM sessions WHERE user_id = $1", user_id)  # logged out elsewhere
    assert (await principal_and_context())[0] == ANONYMOUS


async def test_a_begun_transaction_nothing_continues_is_rolled_back_and_the_connection_kept(t: T) -> None:
    token, _, _ = await _member_session(t)
    authenticator = SessionAuthenticator(t.clock, session_key(load_settings({})), fallback=anonymous)
    async with t.db.app.acquire() as conn:
        handed_back: list[bool] = []

        @asynccontextmanager
        async def the_one_connection() -> AsyncIterator[PgConnection]:
            yield conn
            handed_back.append(conn.is_in_transaction())

        for _ in range(2):  # looked up, then checked in a transaction the request never uses
            lease = Lease(the_one_connection)
            principal = await authenticator({b"cookie": f"blossom_session={token}".encode()}, lease)
            assert isinstance(principal, OrgPrincipal)
            await lease.release()
        assert handed_back == [False, False]  # rolled back before the pool got it back
        assert not conn.is_closed()
        assert await conn.fetchval("SELECT app_current_org_id()") is None
