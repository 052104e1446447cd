"""The product over `POST /jsonrpc`, on the real database with real sessions: each call of a batch
is its own transaction, authentication, CSRF check and rate-limit hit, exactly as on /rpc/."""

from __future__ import annotations

import json
from typing import Any

from database.testing.fixture import FACTORY_PASSWORD
from product.accounts.sessions import COOKIE_NAME
from product.testing import PASSWORD, ProductHarness, signed_in_session


def _call(method: str, params: dict[str, Any], request_id: int) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params, "id": request_id}


async def _owner(product: ProductHarness) -> tuple[Any, Any, dict[str, str]]:
    t = product.t
    org = await t.factory.org(name="Before")
    user = await t.factory.user()
    membership = await t.factory.membership(org, user, "owner")
    token = await signed_in_session(t, user_id=user.id, org_id=org.id)
    return org, membership, {"cookie": f"{COOKIE_NAME}={token}", "content-type": "application/json"}


async def test_a_failing_call_does_not_roll_back_its_neighbours(product: ProductHarness) -> None:
    org, membership, headers = await _owner(product)
    calls = [
        _call("orgs.rename", {"name": "First"}, 1),
        _call("members.remove", {"member_id": membership.id}, 2),  # the last owner: refused
        _call("orgs.rename", {"name": ""}, 3),  # invalid params
        _call("members.list", {}, 4),
    ]
    response = await product.http.post("/jsonrpc", content=json.dumps(calls), headers=headers)
    assert response.status_code == 200
    first, removed, invalid, listed = response.json()
    assert first["result"]["name"] == "First"
    assert removed["error"]["code"] == -32004
    assert removed["error"]["data"]["code"] == "last_owner"
    assert invalid["error"]["code"] == -32602
    assert [f["path"] for f in invalid["error"]["data"]["fields"]] == ["name"]
    assert [m["id"] for m in listed["result"]["members"]] == [membership.id]
    assert await product.t.db.owner.fetchval("SELECT name FROM orgs WHERE id = $1", org.id) == "First"
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM memberships WHERE org_id = $1", org.id) == 1


async def test_the_csrf_rule_applies_to_each_cookie_call(product: ProductHarness) -> None:
    _, _, headers = await _owner(product)
    calls = [_call("orgs.list", {}, 1), _call("demo.ping", {"message": "hi"}, 2)]
    response = await product.http.post(
        "/jsonrpc", content=json.dumps(calls), headers={**headers, "origin": "https://evil.example"}
    )
    cookie_call, anonymous_call = response.json()
    assert cookie_call["error"]["code"] == -32003  # forbidden: a cookie from another origin
    # demo.ping never looks its caller up, but the cookie rode along: refused the same way
    assert anonymous_call["error"]["code"] == -32003
    async with product.client() as stranger:  # a browser without our cookie: nothing to forge
        cookieless = await stranger.post(
            "/jsonrpc",
            content=json.dumps(calls[1:]),
            headers={"origin": "https://evil.example", "content-type": "application/json"},
        )
    assert cookieless.json()[0]["result"] == {"message": "hi"}, cookieless.text


async def test_rate_limits_count_each_call(product: ProductHarness) -> None:
    t = product.t
    user = await t.factory.user(email="victim@example.com")
    calls = [_call("auth.login", {"email": user.email, "password": "wrong " + PASSWORD}, n) for n in range(12)]
    response = await product.http.post("/jsonrpc", json=calls)
    codes = [answer["error"]["data"]["code"] for answer in response.json()]
    # 10 attempts per (account, address) pair, committed even though each login failed.
    assert codes == ["invalid_credentials"] * 10 + ["rate_limited"] * 2
    assert response.json()[-1]["error"]["code"] == -32005


async def test_a_login_call_sets_the_session_cookie(product: ProductHarness) -> None:
    user = await product.t.factory.user(email="someone@example.com")
    call = _call("auth.login", {"email": user.email, "password": "correct horse battery staple"}, 1)
    refused = await product.http.post("/jsonrpc", json=call)
    assert refused.json()["error"]["data"]["code"] == "invalid_credentials"
    response = await product.http.post(
        "/jsonrpc", json={**call, "params": {**call["params"], "password": FACTORY_PASSWORD}}
    )
    assert "result" in response.json(), response.text
    assert response.headers["set-cookie"].startswith(COOKIE_NAME + "=")
    listed = await product.http.post("/jsonrpc", json=_call("auth.sessions.list", {}, 2))
    assert "result" in listed.json(), listed.text  # the cookie jar now carries the session
