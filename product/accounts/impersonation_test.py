"""The product side of impersonation over HTTP against the real PostgreSQL: redeeming a code
(once), the marked session (auth.init, the session list), read-only enforcement by the dispatcher
and by PostgreSQL, writes when allowed, audit attribution to the administrator, expiry and end.
Impersonations are written here as panopticon writes them (panopticon's own routes, and the whole
journey through both apps, are tested in panopticon/impersonation/ and tools/)."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

from database.queries import CreateUserRow, Org
from database.testing.fixture import T
from foundation.crypto import new_token, token_digest
from foundation.ids import new_id
from foundation.rpc import Empty, Router
from foundation.rpc.dispatch import RpcApp
from product.accounts.sessions import COOKIE_NAME
from product.rpc import OrgReq
from product.testing import (
    TRANSPORTS,
    ProductHarness,
    failure_of,
    impersonated_session,
    post_route,
    signed_in_session,
)


async def _member(t: T, name: str = "Acme") -> tuple[Org, CreateUserRow]:
    org = await t.factory.org(name=name)
    user = await t.factory.user(email=f"{name.lower()}@example.com")
    await t.factory.membership(org, user, "owner")
    return org, user


async def _open_impersonation(
    t: T, user_id: str, *, writes: bool, minutes: int = 30, code_minutes: int = 5, email: str = "op@admins.example"
) -> tuple[str, str, str]:
    """An impersonation as `impersonation.start` leaves it: (code, admin id, impersonation id)."""
    code = new_token()
    now = t.clock.now()
    admin_id = new_id("adm", clock=t.clock)
    impersonation_id = new_id("imp", clock=t.clock)
    async with t.db.owner.acquire() as conn:
        await conn.execute("INSERT INTO admins (id, email, role) VALUES ($1, $2, 'operator')", admin_id, email)
        await conn.execute(
            "INSERT INTO impersonations (id, admin_id, user_id, reason, writes, code_hash, code_expires_at,"
            " created_at, expires_at) VALUES ($1, $2, $3, 'ticket 42', $4, $5, $6, $7, $8)",
            impersonation_id,
            admin_id,
            user_id,
            writes,
            token_digest(code),
            now + dt.timedelta(minutes=code_minutes),
            now,
            now + dt.timedelta(minutes=minutes),
        )
    return code, admin_id, impersonation_id


def _cookie(token: str) -> dict[str, str]:
    return {"cookie": f"{COOKIE_NAME}={token}"}


async def test_a_code_opens_a_marked_session_once(product: ProductHarness) -> None:
    t = product.t
    org, user = await _member(t)
    code, admin_id, impersonation_id = await _open_impersonation(t, user.id, writes=False, minutes=20)
    async with product.client() as browser:
        redeemed = await browser.post("/rpc/auth.impersonation.redeem", json={"code": code})
        assert redeemed.status_code == 200, redeemed.text
        body = redeemed.json()
        assert body["user"]["id"] == user.id and body["active_org"]["id"] == org.id
        cookie = redeemed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "Max-Age=1200" in cookie

        init = (await browser.post("/rpc/auth.init", json={})).json()
        assert init["impersonation"] == {
            "impersonation_id": impersonation_id,
            "admin_id": admin_id,
            "admin_email": "op@admins.example",
            "read_only": True,
            "expires_at": (t.clock.now() + dt.timedelta(minutes=20)).isoformat().replace("+00:00", "Z"),
        }
        sessions = (await browser.post("/rpc/auth.sessions.list", json={})).json()["sessions"]
        assert [(s["current"], s["impersonated_by"], s["read_only"]) for s in sessions] == [
            (True, "op@admins.example", True)
        ]

    async with product.client() as other:  # single use
        again = await other.post("/rpc/auth.impersonation.redeem", json={"code": code})
        assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_impersonation_code"
        assert (await other.post("/rpc/auth.init", json={})).json()["user"] is None

    stored = await t.db.owner.fetchrow(
        "SELECT code_hash, redeemed_at FROM impersonations WHERE id = $1", impersonation_id
    )
    assert stored is not None
    assert stored["redeemed_at"] == t.clock.now() and code.encode() not in bytes(stored["code_hash"])
    logged = await t.db.owner.fetchrow("SELECT * FROM platform_audit_log WHERE action = 'auth.impersonation.redeem'")
    assert logged is not None
    assert (logged["actor_admin_id"], logged["acting_as_user_id"], logged["actor_user_id"]) == (admin_id, user.id, None)


async def test_a_user_without_an_impersonation_session_sees_no_banner(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "plain@example.com")
    assert (await product.http.post("/rpc/auth.init", json={})).json()["impersonation"] is None
    sessions = (await product.http.post("/rpc/auth.sessions.list", json={})).json()["sessions"]
    assert [(s["impersonated_by"], s["read_only"]) for s in sessions] == [(None, False)]


async def test_an_expired_unknown_or_ended_code_opens_nothing(product: ProductHarness) -> None:
    t = product.t
    _, user = await _member(t)
    code, _, impersonation_id = await _open_impersonation(t, user.id, writes=False, code_minutes=5)
    t.clock.advance(seconds=5 * 60)
    late = await product.http.post("/rpc/auth.impersonation.redeem", json={"code": code})
    assert late.json()["error"]["code"] == "invalid_impersonation_code"

    _, other = await _member(t, "Other")
    code, _, impersonation_id = await _open_impersonation(t, other.id, writes=False, email="op2@admins.example")
    await t.db.owner.execute("UPDATE impersonations SET ended_at = $2 WHERE id = $1", impersonation_id, t.clock.now())
    ended = await product.http.post("/rpc/auth.impersonation.redeem", json={"code": code})
    assert ended.json()["error"]["code"] == "invalid_impersonation_code"

    unknown = await product.http.post("/rpc/auth.impersonation.redeem", json={"code": new_token()})
    assert unknown.json()["error"]["code"] == "invalid_impersonation_code"
    assert "set-cookie" not in unknown.headers


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_read_only_impersonation_calls_read_routes_only(product: ProductHarness, transport: str) -> None:
    t = product.t
    org, user = await _member(t)
    token, _, _ = await impersonated_session(t, user_id=user.id, org_id=org.id, writes=False)
    members = await post_route(product.http, transport, "members.list", b"{}", _cookie(token))
    assert failure_of(transport, members) is None, members.text
    for route, body in (
        ("orgs.rename", b'{"name": "Hijacked"}'),
        ("orgs.create", b'{"name": "New"}'),
        ("auth.sessions.revoke_others", b"{}"),
        ("auth.logout", b"{}"),
    ):
        refused = await post_route(product.http, transport, route, body, _cookie(token))
        failure = failure_of(transport, refused)
        assert failure is not None and failure["code"] == "read_only_session", (route, refused.text)
    assert (await t.db.owner.fetchval("SELECT name FROM orgs WHERE id = $1", org.id)) == "Acme"
    assert await t.db.owner.fetchval("SELECT count(*) FROM orgs") == 1


async def test_a_write_inside_a_read_only_impersonation_is_refused_by_postgresql(product: ProductHarness) -> None:
    """A read route that (wrongly) writes: the dispatcher lets it run, PostgreSQL refuses the write
    (the transaction is READ ONLY) and the answer is the declared refusal, not a 500. The same
    route writes for the user's own session, so the refusal is the impersonation's."""
    t = product.t
    org, user = await _member(t)
    sneaky = Router("product-test", services=type(product.services))

    @sneaky.route("test.sneaky_write", read_only=True)
    async def sneaky_write(req: OrgReq[Empty]) -> Empty:
        await req.db.execute(
            "INSERT INTO org_notes (org_id, body, author_id) VALUES ($1, 'sneaky', $2)",
            req.principal.org_id,
            req.principal.user_id,
        )
        return Empty()

    app = product.app
    rogue = RpcApp(
        sneaky,
        app.fallback,
        authenticate=app.authenticate,
        database=app.database,
        services=app.services,
        strict_errors=True,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rogue), base_url="https://product.test") as http:
        token, _, _ = await impersonated_session(t, user_id=user.id, org_id=org.id, writes=False)
        for _ in range(3):  # and again: a session seen before still begins READ ONLY
            refused = await http.post("/rpc/test.sneaky_write", json={}, headers=_cookie(token))
            assert refused.status_code == 403, refused.text
            assert refused.json()["error"]["code"] == "read_only_session", refused.text
        assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes WHERE body = 'sneaky'") == 0

        own = await signed_in_session(t, user_id=user.id, org_id=org.id)
        wrote = await http.post("/rpc/test.sneaky_write", json={}, headers=_cookie(own))
        assert wrote.status_code == 200, wrote.text
        assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes WHERE body = 'sneaky'") == 1


async def test_writes_are_attributed_to_the_administrator(product: ProductHarness) -> None:
    t = product.t
    org, user = await _member(t)
    token, admin_id, _ = await impersonated_session(t, user_id=user.id, org_id=org.id, writes=True)
    renamed = await product.http.post("/rpc/orgs.rename", json={"name": "Renamed"}, headers=_cookie(token))
    assert renamed.status_code == 200, renamed.text
    row = await t.db.owner.fetchrow("SELECT * FROM audit_log WHERE org_id = $1 AND action = 'orgs.rename'", org.id)
    assert row is not None
    assert (row["actor_admin_id"], row["acting_as_user_id"], row["actor_user_id"]) == (admin_id, user.id, None)
    # The user's own session is still attributed to them.
    own = await signed_in_session(t, user_id=user.id, org_id=org.id)
    again = await product.http.post("/rpc/orgs.rename", json={"name": "Mine"}, headers=_cookie(own))
    assert again.status_code == 200, again.text
    mine = await t.db.owner.fetchrow(
        "SELECT * FROM audit_log WHERE org_id = $1 AND action = 'orgs.rename' ORDER BY seq DESC LIMIT 1",
        org.id,
    )
    assert mine is not None
    assert (mine["actor_user_id"], mine["actor_admin_id"]) == (user.id, None)


async def test_the_session_ends_at_the_impersonations_end_or_when_it_is_ended(product: ProductHarness) -> None:
    t = product.t
    org, user = await _member(t)
    token, _, _ = await impersonated_session(t, user_id=user.id, org_id=org.id, writes=True, minutes=10)
    assert (await product.http.post("/rpc/auth.init", json={}, headers=_cookie(token))).json()["user"] is not None
    t.clock.advance(seconds=10 * 60)
    assert (await product.http.post("/rpc/auth.init", json={}, headers=_cookie(token))).json()["user"] is None
    assert (await product.http.post("/rpc/members.list", json={}, headers=_cookie(token))).status_code == 401

    token, _, impersonation_id = await impersonated_session(t, user_id=user.id, org_id=org.id, writes=True)
    assert (await product.http.post("/rpc/members.list", json={}, headers=_cookie(token))).status_code == 200
    async with t.db.owner.acquire() as conn:  # what impersonation.end does, as panopticon's function
        assert await conn.fetchval("SELECT app_impersonation_end_sessions($1)", impersonation_id) == 1
    assert (await product.http.post("/rpc/members.list", json={}, headers=_cookie(token))).status_code == 401


async def test_parallel_redemptions_of_one_code_open_one_session(product: ProductHarness) -> None:
    t = product.t
    _, user = await _member(t)
    code, _, impersonation_id = await _open_impersonation(t, user.id, writes=False)
    clients = [product.client() for _ in range(30)]
    try:
        answers = await asyncio.gather(
            *(c.post("/rpc/auth.impersonation.redeem", json={"code": code}) for c in clients)
        )
    finally:
        for c in clients:
            await c.aclose()
    codes = sorted(r.json().get("error", {}).get("code", "ok") for r in answers)
    assert codes == ["invalid_impersonation_code"] * 29 + ["ok"], codes
    count = await t.db.owner.fetchval("SELECT count(*) FROM sessions WHERE impersonation_id = $1", impersonation_id)
    assert count == 1
