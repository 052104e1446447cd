"""Impersonation through both apps over HTTP against the real PostgreSQL: an administrator starts
it in panopticon, their browser redeems the code in the product, the session is marked (banner,
session list), read-only unless an operator asked for writes, attributed to the administrator in
the audit log, and ends on demand (at once) or at its expiry. Here in tools/ because it is the one
layer that may import both apps."""

from __future__ import annotations

from typing import Any

import httpx

from database.testing.fixture import T
from panopticon.testing import panopticon_harness
from product.accounts.sessions import COOKIE_NAME
from product.testing import ProductHarness, product_harness, signed_in_session


async def _world(t: T) -> tuple[Any, Any]:
    org = await t.factory.org(name="Acme")
    user = await t.factory.user(email="customer@acme.example")
    await t.factory.membership(org, user, "owner")
    return org, user


async def _start(client: httpx.AsyncClient, user_id: str, **extra: Any) -> dict[str, Any]:
    body = {"user_id": user_id, "reason": "ticket 7: invoices missing", "minutes": 20, **extra}
    started = await client.post("/rpc/impersonation.start", json=body)
    assert started.status_code == 200, started.text
    return started.json()


async def _redeem(product: ProductHarness, browser: httpx.AsyncClient, code: str) -> dict[str, Any]:
    redeemed = await browser.post("/rpc/auth.impersonation.redeem", json={"code": code})
    assert redeemed.status_code == 200, redeemed.text
    return redeemed.json()


async def test_a_read_only_impersonation_from_start_to_end(t: T) -> None:
    async with (
        product_harness(t) as product,
        panopticon_harness(t) as pan,
        pan.signed_in("help@blossom.example", "support") as (admin, console),
    ):
        org, user = await _world(t)
        started = await _start(console, user.id)
        async with product.client() as browser:
            init = await _redeem(product, browser, started["code"])
            assert init["user"]["email"] == "customer@acme.example"
            banner = (await browser.post("/rpc/auth.init", json={})).json()["impersonation"]
            assert (banner["admin_id"], banner["admin_email"], banner["read_only"]) == (
                admin.id,
                "help@blossom.example",
                True,
            )
            assert banner["impersonation_id"] == started["impersonation_id"]
            assert banner["expires_at"] == started["expires_at"]

            assert (await browser.post("/rpc/members.list", json={})).status_code == 200
            refused = await browser.post("/rpc/orgs.rename", json={"name": "Hijacked"})
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "read_only_session"
            assert await t.db.owner.fetchval("SELECT name FROM orgs WHERE id = $1", org.id) == "Acme"

            # The user sees it in their own session list.
            own = await signed_in_session(t, user_id=user.id, org_id=org.id)
            mine = await product.http.post(
                "/rpc/auth.sessions.list", json={}, headers={"cookie": f"{COOKIE_NAME}={own}"}
            )
            sessions = mine.json()["sessions"]
            assert sorted((s["current"], s["impersonated_by"] or "", s["read_only"]) for s in sessions) == [
                (False, "help@blossom.example", True),
                (True, "", False),
            ]

            listed = (await console.post("/rpc/impersonation.list", json={})).json()["impersonations"]
            assert [(i["id"], i["redeemed"]) for i in listed] == [(started["impersonation_id"], True)]

            ended = await console.post("/rpc/impersonation.end", json={"impersonation_id": started["impersonation_id"]})
            assert ended.json() == {"impersonation_id": started["impersonation_id"], "sessions_ended": 1}
            after = await browser.post("/rpc/auth.init", json={})
            assert after.json()["user"] is None  # the session is gone at once
            assert (await browser.post("/rpc/members.list", json={})).status_code == 401

        async with product.client() as other:  # the code was good once
            again = await other.post("/rpc/auth.impersonation.redeem", json={"code": started["code"]})
            assert again.json()["error"]["code"] == "invalid_impersonation_code"

    admin_events = await t.db.owner.fetch(
        "SELECT action, actor_admin_id, target, reason FROM platform_audit_log WHERE chain = 'admin'"
        " AND action LIKE 'impersonation.%' ORDER BY seq"
    )
    assert [tuple(e) for e in admin_events] == [
        ("impersonation.start", admin.id, user.id, "ticket 7: invoices missing"),
        ("impersonation.end", admin.id, user.id, None),
    ]
    redeemed = await t.db.owner.fetchrow(
        "SELECT actor_admin_id, acting_as_user_id FROM platform_audit_log WHERE action = 'auth.impersonation.redeem'"
    )
    assert redeemed is not None and tuple(redeemed) == (admin.id, user.id)


async def test_an_operator_who_asked_for_writes_writes_as_the_admin_until_expiry(t: T) -> None:
    async with (
        product_harness(t) as product,
        panopticon_harness(t) as pan,
        pan.signed_in("ops@blossom.example", "operator") as (admin, console),
    ):
        org, user = await _world(t)
        started = await _start(console, user.id, writes=True, minutes=5)
        assert started["read_only"] is False
        async with product.client() as browser:
            await _redeem(product, browser, started["code"])
            assert (await browser.post("/rpc/auth.init", json={})).json()["impersonation"]["read_only"] is False
            renamed = await browser.post("/rpc/orgs.rename", json={"name": "Fixed name"})
            assert renamed.status_code == 200, renamed.text
            row = await t.db.owner.fetchrow(
                "SELECT actor_user_id, actor_admin_id, acting_as_user_id FROM audit_log"
                " WHERE org_id = $1 AND action = 'orgs.rename'",
                org.id,
            )
            assert row is not None and tuple(row) == (None, admin.id, user.id)

            t.clock.advance(seconds=5 * 60)  # the impersonation's end is the session's
            assert (await browser.post("/rpc/auth.init", json={})).json()["user"] is None
            assert (await browser.post("/rpc/orgs.rename", json={"name": "Late"})).status_code == 401
            assert (await console.post("/rpc/impersonation.list", json={})).json()["impersonations"] == []


async def test_a_code_of_a_disabled_administrator_opens_nothing(t: T) -> None:
    async with (
        product_harness(t) as product,
        panopticon_harness(t) as pan,
        pan.signed_in("help@blossom.example", "support") as (admin, console),
    ):
        _, user = await _world(t)
        started = await _start(console, user.id)
        await t.db.owner.execute("UPDATE admins SET disabled_at = now() WHERE id = $1", admin.id)
        refused = await product.http.post("/rpc/auth.impersonation.redeem", json={"code": started["code"]})
        assert refused.json()["error"]["code"] == "invalid_impersonation_code"
