"""Panopticon's impersonation routes over HTTP against the real PostgreSQL: role gating (support
starts read-only, writes need operator), the reason and duration rules, no administrator as a
target, one open impersonation per user (racing starts), end, list, and the admin audit chain.
The product side (redeeming the code, the marked session) is in product/accounts/, the journey
through both apps in tools/impersonation_test.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from database.testing.fixture import T
from foundation.crypto import token_digest
from panopticon.testing import PanopticonHarness, panopticon_harness


@pytest.fixture
async def pan(t: T) -> AsyncIterator[PanopticonHarness]:
    async with panopticon_harness(t) as harness:
        yield harness


def _start(user_id: str, **extra: Any) -> dict[str, Any]:
    return {"user_id": user_id, "reason": "ticket 42: cannot see invoices", "minutes": 15, **extra}


async def _error(client: httpx.AsyncClient, route: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"/rpc/{route}", json=body)
    assert response.status_code >= 400, response.text
    return response.json()["error"]


async def test_support_starts_a_read_only_impersonation_and_it_is_audited(pan: PanopticonHarness) -> None:
    t = pan.t
    user = await t.factory.user(email="customer@example.com")
    async with pan.signed_in("help@example.com", "support") as (admin, client):
        started = await client.post("/rpc/impersonation.start", json=_start(user.id))
        assert started.status_code == 200, started.text
        body = started.json()
        assert body["user_id"] == user.id and body["read_only"] is True
        assert len(body["code"]) >= 40
        row = await t.db.owner.fetchrow("SELECT * FROM impersonations WHERE id = $1", body["impersonation_id"])
        assert row is not None
        assert (row["admin_id"], row["writes"], row["reason"]) == (admin.id, False, "ticket 42: cannot see invoices")
        assert bytes(row["code_hash"]) == token_digest(body["code"])  # only the hash is kept
        assert (row["expires_at"] - row["created_at"]).total_seconds() == 15 * 60
        assert (row["code_expires_at"] - row["created_at"]).total_seconds() == 5 * 60

        listed = (await client.post("/rpc/impersonation.list", json={})).json()["impersonations"]
        assert [(i["id"], i["admin_email"], i["user_id"], i["read_only"], i["redeemed"]) for i in listed] == [
            (body["impersonation_id"], "help@example.com", user.id, True, False)
        ]

        ended = await client.post("/rpc/impersonation.end", json={"impersonation_id": body["impersonation_id"]})
        assert ended.status_code == 200, ended.text
        assert ended.json() == {"impersonation_id": body["impersonation_id"], "sessions_ended": 0}
        again = await _error(client, "impersonation.end", {"impersonation_id": body["impersonation_id"]})
        assert again["code"] == "impersonation_not_found"
        assert (await client.post("/rpc/impersonation.list", json={})).json()["impersonations"] == []

    events = await t.db.owner.fetch("SELECT * FROM platform_audit_log WHERE chain = 'admin' ORDER BY seq")
    ours = [
        (e["action"], e["actor_admin_id"], e["target"], e["reason"]) for e in events if "impersonation" in e["action"]
    ]
    assert ours == [
        ("impersonation.start", admin.id, user.id, "ticket 42: cannot see invoices"),
        ("impersonation.end", admin.id, user.id, None),
    ]


async def test_roles_gate_starting_and_writes(pan: PanopticonHarness) -> None:
    user = await pan.t.factory.user(email="customer@example.com")
    async with pan.signed_in("viewer@example.com", "viewer") as (_, viewer):
        refused = await _error(viewer, "impersonation.start", _start(user.id))
        assert refused["code"] == "insufficient_role" and refused["required_role"] == "support"
        assert (await viewer.post("/rpc/impersonation.list", json={})).status_code == 200
    async with pan.signed_in("help@example.com", "support") as (_, support):
        refused = await _error(support, "impersonation.start", _start(user.id, writes=True))
        assert refused["code"] == "writes_need_operator" and refused["required_role"] == "operator"
    assert await pan.t.db.owner.fetchval("SELECT count(*) FROM impersonations") == 0
    denied = await pan.t.db.owner.fetchrow(
        "SELECT actor_admin_id, target, after FROM platform_audit_log WHERE action = 'impersonation.denied'"
    )
    assert denied is not None and denied["target"] == user.id and '"required_role": "operator"' in denied["after"]
    async with pan.signed_in("ops@example.com", "operator") as (_, operator):
        started = await operator.post("/rpc/impersonation.start", json=_start(user.id, writes=True))
        assert started.status_code == 200, started.text
        assert started.json()["read_only"] is False


async def test_the_reason_and_duration_are_required_and_bounded(pan: PanopticonHarness) -> None:
    user = await pan.t.factory.user(email="customer@example.com")
    async with pan.signed_in("help@example.com", "support") as (_, client):
        no_reason = await _error(client, "impersonation.start", {"user_id": user.id, "minutes": 5})
        assert no_reason["code"] == "invalid_input" and "reason" in str(no_reason["fields"])
        for reason in ("", "x" * 501):
            bad = await _error(client, "impersonation.start", _start(user.id, reason=reason))
            assert bad["code"] == "invalid_input" and "reason" in str(bad["fields"]), reason
        for blank in ("   ", "\t\n", "\u3000"):
            bad = await _error(client, "impersonation.start", _start(user.id, reason=blank))
            assert (bad["code"], bad["field"]) == ("blank_reason", "reason"), blank
        no_minutes = await _error(client, "impersonation.start", {"user_id": user.id, "reason": "why"})
        assert no_minutes["code"] == "invalid_input" and "minutes" in str(no_minutes["fields"])
        for minutes in (0, 61, -1, 1.5, "10", 10**30):
            bad = await _error(client, "impersonation.start", _start(user.id, minutes=minutes))
            assert bad["code"] == "invalid_input" and "minutes" in str(bad["fields"]), minutes
        for user_id in ("usr_nope", "adm_" + "0" * 26, "usr_" + "0" * 26 + "\u0000"):
            bad = await _error(client, "impersonation.start", _start(user_id))
            assert bad["code"] == "invalid_input" and "user_id" in str(bad["fields"]), user_id
        for minutes in (1, 60):
            ok = await client.post("/rpc/impersonation.start", json=_start(user.id, minutes=minutes))
            assert ok.status_code == 200, ok.text
            await client.post("/rpc/impersonation.end", json={"impersonation_id": ok.json()["impersonation_id"]})
    assert await pan.t.db.owner.fetchval("SELECT count(*) FROM impersonations") == 2


async def test_an_unknown_user_or_an_administrator_is_not_impersonated(pan: PanopticonHarness) -> None:
    # An administrator's own customer account (the same email, any case) is never a target.
    twin = await pan.t.factory.user(email="Ops@Example.com")
    async with pan.signed_in("ops@example.com", "operator") as (_, client):
        missing = await _error(client, "impersonation.start", _start("usr_" + "0" * 26))
        assert missing["code"] == "user_not_found"
        admin = await _error(client, "impersonation.start", _start(twin.id))
        assert admin["code"] == "cannot_impersonate_admin"
    assert await pan.t.db.owner.fetchval("SELECT count(*) FROM impersonations") == 0


async def test_one_open_impersonation_per_user_until_it_ends_or_expires(pan: PanopticonHarness) -> None:
    t = pan.t
    user = await t.factory.user(email="customer@example.com")
    async with pan.signed_in("a@example.com", "support") as (_, a), pan.signed_in("b@example.com", "support") as (_, b):
        first = await a.post("/rpc/impersonation.start", json=_start(user.id, minutes=10))
        assert first.status_code == 200, first.text
        busy = await _error(b, "impersonation.start", _start(user.id))
        assert busy["code"] == "impersonation_active"
        t.clock.advance(seconds=10 * 60)  # the first one expires: a new one may start
        assert (await b.post("/rpc/impersonation.list", json={})).json()["impersonations"] == []
        ended = await _error(a, "impersonation.end", {"impersonation_id": first.json()["impersonation_id"]})
        assert ended["code"] == "impersonation_not_found"
        second = await b.post("/rpc/impersonation.start", json=_start(user.id))
        assert second.status_code == 200, second.text
    closed = await t.db.owner.fetchrow(
        "SELECT ended_at, expires_at FROM impersonations WHERE id = $1", first.json()["impersonation_id"]
    )
    assert closed is not None and closed["ended_at"] == closed["expires_at"]


async def test_parallel_starts_for_one_user_open_exactly_one(pan: PanopticonHarness) -> None:
    t = pan.t
    user = await t.factory.user(email="customer@example.com")
    async with pan.signed_in("ops@example.com", "operator") as (_, client):
        answers = await asyncio.gather(
            *(client.post("/rpc/impersonation.start", json=_start(user.id, writes=i % 2 == 0)) for i in range(30))
        )
    codes = sorted(r.json().get("error", {}).get("code", "ok") for r in answers)
    assert codes == ["impersonation_active"] * 29 + ["ok"], codes
    assert await t.db.owner.fetchval("SELECT count(*) FROM impersonations WHERE ended_at IS NULL") == 1


async def test_a_disabled_user_is_not_impersonated(pan: PanopticonHarness) -> None:
    user = await pan.t.factory.user(email="gone@example.com")
    await pan.t.db.owner.execute("UPDATE users SET disabled_at = now() WHERE id = $1", user.id)
    async with pan.signed_in("ops@example.com", "operator") as (_, client):
        refused = await _error(client, "impersonation.start", _start(user.id))
        assert refused["code"] == "user_disabled"
    assert await pan.t.db.owner.fetchval("SELECT count(*) FROM impersonations") == 0
