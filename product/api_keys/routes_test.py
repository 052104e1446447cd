"""API keys and personal access tokens over HTTP, on /rpc/ and /jsonrpc: created once, listed,
revoked; bearer authentication as the organization or the user; scopes; what keys may not call;
the last-use record without a write per call; the per-key limit."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest

from database import audit
from foundation.crypto import token_digest
from product.accounts.sessions import COOKIE_NAME
from product.api_keys.bearer import ORG_HEADER
from product.api_keys.routes import MAX_LIVE_KEYS
from product.testing import TRANSPORTS, ProductHarness, failure_of, post_route, signed_in_session


async def _owner_with_org(product: ProductHarness, email: str = "owner@example.com", name: str = "Acme") -> dict:
    await product.sign_up_and_in(product.http, email, "Owner")
    response = await product.http.post("/rpc/orgs.create", json={"name": name})
    assert response.status_code == 200, response.text
    return response.json()


async def _new_key(product: ProductHarness, scope: str = "write", **more: Any) -> dict:
    response = await product.http.post("/rpc/api_keys.create", json={"name": "CI", "scope": scope, **more})
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def _call(product: ProductHarness, transport: str, route: str, body: bytes, token: str) -> httpx.Response:
    # A client of its own: no cookie jar, as a server calling us would be.
    async with product.client() as bare:
        return await post_route(bare, transport, route, body, _bearer(token))


async def test_a_key_is_shown_once_listed_without_its_token_and_stored_as_a_hash(product: ProductHarness) -> None:
    await _owner_with_org(product)
    created = await _new_key(product, name="Deploy bot")
    token = created["token"]
    assert token.startswith("bk_") and len(token) > 60
    assert created["key"]["name"] == "Deploy bot" and created["key"]["scope"] == "write"
    listed = (await product.http.get("/rpc/api_keys.list")).json()["keys"]
    assert [k["id"] for k in listed] == [created["key"]["id"]]
    assert token not in str(listed)
    stored = await product.t.db.owner.fetchrow("SELECT * FROM api_keys")
    assert stored is not None
    assert stored["token_hash"] == token_digest(token)
    assert token not in str(dict(stored))


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_an_org_key_acts_in_its_org_on_both_transports(product: ProductHarness, transport: str) -> None:
    org = await _owner_with_org(product)
    token = (await _new_key(product, scope="read"))["token"]
    response = await _call(product, transport, "members.list", b"{}", token)
    assert failure_of(transport, response) is None, response.text
    body = response.json() if transport == "rpc" else response.json()["result"]
    assert [m["email"] for m in body["members"]] == ["owner@example.com"]
    # It is the org's: a route of no organization (the caller's own account) refuses it.
    response = await _call(product, transport, "auth.sessions.list", b"{}", token)
    assert (failure_of(transport, response) or {}).get("code") == "forbidden", response.text
    assert org["id"]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    "route", ["auth.sessions.list", "auth.logout", "auth.password.change", "auth.login", "api_keys.create",
              "api_keys.list", "personal_tokens.create", "orgs.switch", "members.leave"],
)  # fmt: skip
async def test_account_session_and_key_routes_refuse_keys(product: ProductHarness, transport: str, route: str) -> None:
    await _owner_with_org(product)
    for token in ((await _new_key(product))["token"], await _personal_token(product)):
        body = b'{"email":"owner@example.com","password":"x","current_password":"x","new_password":"y","name":"n"}'
        if route in ("auth.sessions.list", "auth.logout", "api_keys.list", "members.leave"):
            body = b"{}"
        elif route == "orgs.switch":
            body = b'{"org_id":"org_00000000000000000000000000"}'
        elif route in ("api_keys.create", "personal_tokens.create"):
            body = b'{"name":"again"}'
        response = await _call(product, transport, route, body, token)
        failure = failure_of(transport, response)
        assert failure is not None and failure["code"] == "forbidden", response.text
        assert "API key" in failure["message"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_read_key_calls_only_read_routes(product: ProductHarness, transport: str) -> None:
    await _owner_with_org(product)
    read = (await _new_key(product, scope="read"))["token"]
    write = (await _new_key(product, scope="write"))["token"]
    invite = b'{"email":"new@example.com"}'
    refused = failure_of(transport, await _call(product, transport, "members.invite", invite, read))
    assert refused is not None and refused["code"] == "forbidden" and "only read" in refused["message"]
    assert failure_of(transport, await _call(product, transport, "members.invite", invite, write)) is None
    assert [m.to for m in await product.sent_mail()][-1] == "new@example.com"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_revoked_and_expired_keys_are_refused_at_once(product: ProductHarness, transport: str) -> None:
    await _owner_with_org(product)
    created = await _new_key(product)
    token = created["token"]
    assert failure_of(transport, await _call(product, transport, "members.list", b"{}", token)) is None
    revoked = await product.http.post("/rpc/api_keys.revoke", json={"key_id": created["key"]["id"]})
    assert revoked.json()["revoked_at"] is not None
    failure = failure_of(transport, await _call(product, transport, "members.list", b"{}", token))
    assert failure is not None and failure["code"] == "unauthenticated"

    expiring = await _new_key(product, expires_at=(product.t.clock.now() + dt.timedelta(hours=1)).isoformat())
    assert failure_of(transport, await _call(product, transport, "members.list", b"{}", expiring["token"])) is None
    product.t.clock.advance(seconds=3600)
    failure = failure_of(transport, await _call(product, transport, "members.list", b"{}", expiring["token"]))
    assert failure is not None and failure["code"] == "unauthenticated"


async def test_junk_forged_and_malformed_bearer_tokens_are_refused(product: ProductHarness) -> None:
    await _owner_with_org(product)
    real = (await _new_key(product))["token"]
    for header in (
        "Bearer bk_" + "A" * 65,
        "Bearer " + real[3:],  # without the prefix
        "Bearer " + real[:-1] + ("A" if real[-1] != "A" else "B"),  # tag broken
        "Bearer bk_\u00e9t\u00e9",
        "Bearer ",
        "bearer " + real[:10],
    ):
        async with product.client() as bare:
            sent = {"content-type": "application/json", "authorization": header.encode("utf-8")}
            response = await bare.post("/rpc/members.list", content=b"{}", headers=sent)
        assert response.status_code == 401, (header, response.text)
    # A lower-case scheme is the same scheme (RFC 9110).
    async with product.client() as bare:
        response = await bare.post("/rpc/members.list", json={}, headers={"authorization": "bearer " + real})
    assert response.status_code == 200, response.text


async def test_a_bearer_call_needs_no_origin_check(product: ProductHarness) -> None:
    await _owner_with_org(product)
    token = (await _new_key(product))["token"]
    async with product.client() as bare:
        response = await bare.post(
            "/rpc/members.invite",
            json={"email": "x@example.com"},
            headers={**_bearer(token), "origin": "https://evil.example", "sec-fetch-site": "cross-site"},
        )
    assert response.status_code == 200, response.text


async def test_a_key_stops_working_when_its_creator_no_longer_manages_the_org(product: ProductHarness) -> None:
    org = await _owner_with_org(product)
    token = (await _new_key(product))["token"]
    user_id = await product.t.db.owner.fetchval("SELECT id FROM users WHERE email = 'owner@example.com'")
    other = await product.t.factory.user(email="second@example.com")
    await product.t.db.owner.execute(
        "INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'owner')", org["id"], other.id
    )
    await product.t.db.owner.execute(
        "UPDATE memberships SET role = 'member' WHERE org_id = $1 AND user_id = $2", org["id"], user_id
    )
    async with product.client() as bare:
        response = await bare.post("/rpc/members.list", json={}, headers=_bearer(token))
    assert response.status_code == 401, response.text


async def test_only_owners_and_admins_manage_keys(product: ProductHarness) -> None:
    org = await _owner_with_org(product)
    member = await product.t.factory.user(email="member@example.com")
    await product.t.db.owner.execute(
        "INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'member')", org["id"], member.id
    )
    token = await signed_in_session(product.t, user_id=member.id, org_id=org["id"])
    client = product.client()
    client.cookies.set(COOKIE_NAME, token)
    for route, body in (("api_keys.create", {"name": "x"}), ("api_keys.list", {})):
        response = await client.post(f"/rpc/{route}", json=body)
        assert response.json()["error"]["code"] == "api_key_not_permitted", response.text


async def test_last_use_is_written_at_most_once_a_minute(product: ProductHarness) -> None:
    await _owner_with_org(product)
    token = (await _new_key(product))["token"]
    versions = []  # the row version (xmin) after each call: a new one for each write

    async def call_and_look() -> None:
        async with product.client() as bare:
            assert (await bare.post("/rpc/members.list", json={}, headers=_bearer(token))).status_code == 200
        versions.append(await product.t.db.owner.fetchval("SELECT xmin::text FROM api_keys"))

    first_use = product.t.clock.now()
    for _ in range(10):
        await call_and_look()
    await asyncio.gather(*(call_and_look() for _ in range(10)))
    assert len(set(versions)) == 1  # twenty calls, one write
    assert await product.t.db.owner.fetchval("SELECT last_used_at FROM api_keys") == first_use
    product.t.clock.advance(seconds=61)
    for _ in range(5):
        await call_and_look()
    assert len(set(versions)) == 2
    assert await product.t.db.owner.fetchval("SELECT last_used_at FROM api_keys") == product.t.clock.now()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_calls_are_limited_per_key(product: ProductHarness, transport: str) -> None:
    await _owner_with_org(product)
    product.services.api_key_calls_per_minute = 3
    one, other = (await _new_key(product))["token"], (await _new_key(product))["token"]
    answers = [failure_of(transport, await _call(product, transport, "members.list", b"{}", one)) for _ in range(4)]
    assert answers[:3] == [None, None, None]
    assert answers[3] is not None and answers[3]["code"] == "rate_limited"
    assert failure_of(transport, await _call(product, transport, "members.list", b"{}", other)) is None
    product.t.clock.advance(seconds=60)
    assert failure_of(transport, await _call(product, transport, "members.list", b"{}", one)) is None


async def test_keys_per_org_are_bounded_even_when_created_at_once(product: ProductHarness) -> None:
    await _owner_with_org(product)
    responses = await asyncio.gather(
        *(product.http.post("/rpc/api_keys.create", json={"name": f"k{i}"}) for i in range(MAX_LIVE_KEYS + 10))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == MAX_LIVE_KEYS and codes.count(409) == 10, codes
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM api_keys") == MAX_LIVE_KEYS


async def test_expiry_must_be_in_the_future(product: ProductHarness) -> None:
    await _owner_with_org(product)
    past = (product.t.clock.now() - dt.timedelta(seconds=1)).isoformat()
    response = await product.http.post("/rpc/api_keys.create", json={"name": "old", "expires_at": past})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_expiry"
    assert response.json()["error"]["fields"][0]["path"] == "expires_at"


# --- personal access tokens -------------------------------------------------------------------------


async def _personal_token(product: ProductHarness, scope: str = "write") -> str:
    response = await product.http.post("/rpc/personal_tokens.create", json={"name": "laptop", "scope": scope})
    assert response.status_code == 200, response.text
    return response.json()["token"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_personal_token_acts_as_its_user_and_in_an_org_it_names(
    product: ProductHarness, transport: str
) -> None:
    org = await _owner_with_org(product)
    token = await _personal_token(product)
    async with product.client() as bare:
        response = await post_route(bare, transport, "orgs.list", b"{}", _bearer(token))
        assert failure_of(transport, response) is None, response.text
        body = response.json() if transport == "rpc" else response.json()["result"]
        assert [o["id"] for o in body["orgs"]] == [org["id"]]
        # An organization route needs the organization named, and the user a member of it.
        response = await post_route(bare, transport, "members.list", b"{}", _bearer(token))
        assert (failure_of(transport, response) or {}).get("code") == "forbidden"
        named = {**_bearer(token), ORG_HEADER.decode(): org["id"]}
        response = await post_route(bare, transport, "members.list", b"{}", named)
        assert failure_of(transport, response) is None, response.text
        stranger = await product.t.factory.org(name="Elsewhere")
        response = await post_route(bare, transport, "members.list", b"{}", {**named, ORG_HEADER.decode(): stranger.id})
        assert (failure_of(transport, response) or {}).get("code") == "forbidden"


async def test_personal_tokens_are_listed_and_revoked_by_their_user_only(product: ProductHarness) -> None:
    await _owner_with_org(product)
    token = await _personal_token(product)
    listed = (await product.http.get("/rpc/personal_tokens.list")).json()["personal_tokens"]
    assert len(listed) == 1 and token not in str(listed)
    other = product.client()
    await product.sign_up_and_in(other, "other@example.com")
    response = await other.post("/rpc/personal_tokens.revoke", json={"token_id": listed[0]["id"]})
    assert response.json()["error"]["code"] == "personal_token_not_found"
    assert (await other.get("/rpc/personal_tokens.list")).json()["personal_tokens"] == []
    async with product.client() as bare:
        assert (await bare.post("/rpc/orgs.list", json={}, headers=_bearer(token))).status_code == 200
        response = await product.http.post("/rpc/personal_tokens.revoke", json={"token_id": listed[0]["id"]})
        assert response.status_code == 200
        assert (await bare.post("/rpc/orgs.list", json={}, headers=_bearer(token))).status_code == 401


async def test_an_org_key_cannot_call_personal_only_routes(product: ProductHarness) -> None:
    await _owner_with_org(product)
    token = (await _new_key(product))["token"]
    async with product.client() as bare:
        for route in ("orgs.list", "orgs.rename", "orgs.delete"):
            response = await bare.post(
                f"/rpc/{route}", json={"name": "x"} if route == "orgs.rename" else {}, headers=_bearer(token)
            )
            assert response.status_code == 403 and "personal access token" in response.json()["error"]["message"]
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM orgs") == 1


async def test_a_call_with_a_session_cookie_is_the_sessions_whatever_bearer_it_carries(product: ProductHarness) -> None:
    """The bearer header is read only without a valid session cookie (the cookie path is unchanged),
    so a browser's call keeps its CSRF check even with a key in the header."""
    await _owner_with_org(product)
    created = await _new_key(product, scope="read")
    await product.http.post("/rpc/api_keys.revoke", json={"key_id": created["key"]["id"]})
    response = await product.http.post("/rpc/api_keys.list", json={}, headers=_bearer(created["token"]))
    assert response.status_code == 200, response.text  # the session's: a key route, a revoked key
    response = await product.http.post(
        "/rpc/members.invite",
        json={"email": "z@example.com"},
        headers={**_bearer(created["token"]), "sec-fetch-site": "cross-site"},
    )
    assert response.status_code == 403 and "cross-site" in response.json()["error"]["message"]


async def test_creating_and_revoking_keys_is_audited_without_the_token(product: ProductHarness) -> None:
    await _owner_with_org(product)
    created = await _new_key(product, name="audited")
    await product.http.post("/rpc/api_keys.revoke", json={"key_id": created["key"]["id"]})
    pat = (await product.http.post("/rpc/personal_tokens.create", json={"name": "laptop"})).json()
    org_log = (await product.http.post("/rpc/orgs.audit.list", json={"limit": 50})).json()["entries"]
    account_log = await product.t.db.owner.fetch("SELECT action, target, before, after FROM platform_audit_log")
    rows = [*org_log, *map(dict, account_log)]
    keyed = [(r["action"], r["target"]) for r in rows if r["action"].startswith(("api_keys.", "personal_tokens."))]
    assert sorted(keyed) == sorted(
        [
            ("personal_tokens.create", pat["personal_token"]["id"]),
            ("api_keys.create", created["key"]["id"]),
            ("api_keys.revoke", created["key"]["id"]),
        ]
    )
    text = str(rows)
    assert created["token"] not in text and pat["token"] not in text and created["token"][3:20] not in text
    async with product.t.db.owner.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        _, _, breaks = await audit.verify_all(conn)
    assert breaks == []
