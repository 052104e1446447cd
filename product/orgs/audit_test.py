"""The audit log as the product writes and shows it: every change of accounts and organizations
leaves its row in the same transaction, with the request's id and the caller's address; an
organization's owners and admins page through theirs (`orgs.audit.list`); a member may not."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from database import audit
from product.testing import PASSWORD, ProductHarness

from .routes_test import _join, _member_id, _owner_with_org


async def _entries(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/rpc/orgs.audit.list", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def _actions(client: httpx.AsyncClient) -> list[str]:
    return [e["action"] for e in (await _entries(client, limit=200))["entries"]]


async def _verify(product: ProductHarness) -> tuple[int, int, list[audit.Break]]:
    async with product.t.db.owner.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return await audit.verify_all(conn)


async def test_every_org_change_is_in_the_org_log_newest_first(product: ProductHarness) -> None:
    org = await _owner_with_org(product)
    renamed = await product.http.post("/rpc/orgs.rename", json={"name": "Acme Ltd"}, headers={"x-request-id": "req-42"})
    assert renamed.status_code == 200
    admin = await _join(product, "ada@example.com", "admin")
    await _join(product, "mia@example.com")
    mia = await _member_id(product.http, "mia@example.com")
    ada = await _member_id(product.http, "ada@example.com")
    assert (
        await product.http.post("/rpc/members.change_role", json={"member_id": mia, "role": "admin"})
    ).status_code == 200
    assert (await product.http.post("/rpc/members.remove", json={"member_id": mia})).status_code == 200
    invite = (await product.http.post("/rpc/members.invite", json={"email": "x@example.com"})).json()
    assert (await product.http.post("/rpc/invites.cancel", json={"invite_id": invite["id"]})).status_code == 200
    assert (await product.http.post("/rpc/orgs.transfer_ownership", json={"member_id": ada})).status_code == 200

    page = await _entries(admin, limit=200)  # the new owner reads it
    actions = [e["action"] for e in page["entries"]]
    assert actions == [
        "orgs.transfer_ownership", "invites.cancel", "members.invite", "members.remove", "members.change_role",
        "invites.accept", "members.invite", "invites.accept", "members.invite", "orgs.rename", "orgs.create",
    ]  # fmt: skip
    assert page["next_cursor"] is None
    assert [e["seq"] for e in page["entries"]] == list(range(11, 0, -1))
    by_action = {e["action"]: e for e in reversed(page["entries"])}
    rename = by_action["orgs.rename"]
    owner_id = by_action["orgs.create"]["actor_user_id"]
    assert rename | {"id": "", "at": ""} == {
        "seq": 2, "id": "", "at": "", "actor_user_id": owner_id, "actor_admin_id": None, "acting_as_user_id": None,
        "action": "orgs.rename", "target": org["id"], "reason": None, "request_id": "req-42",
        "client_address": "127.0.0.1", "before": {"name": "Acme"}, "after": {"name": "Acme Ltd"},
    }  # fmt: skip
    change = by_action["members.change_role"]
    assert (change["target"], change["before"]["role"], change["after"]["role"]) == (mia, "member", "admin")
    members = (await product.http.get("/rpc/members.list")).json()["members"]
    ada_user = next(m["user_id"] for m in members if m["id"] == ada)
    transfer = by_action["orgs.transfer_ownership"]
    assert (transfer["before"], transfer["after"]) == ({"owner": owner_id}, {"owner": ada_user})
    assert await _verify(product) == (2, 11 + 6, [])  # the org's chain and the account chain


async def test_account_events_go_to_the_account_chain(product: ProductHarness) -> None:
    user = await product.sign_up_and_in(product.http, "una@example.com", "Una")
    user_id = user["user"]["id"]
    other = product.client()
    await other.post("/rpc/auth.login", json={"email": "una@example.com", "password": PASSWORD})
    sessions = (await product.http.get("/rpc/auth.sessions.list")).json()["sessions"]
    theirs = next(s["id"] for s in sessions if not s["current"])
    assert (await product.http.post("/rpc/auth.sessions.revoke", json={"session_id": theirs})).status_code == 200
    new_password = "an entirely new passphrase"
    changed = await product.http.post(
        "/rpc/auth.password.change", json={"current_password": PASSWORD, "new_password": new_password}
    )
    assert changed.status_code == 200, changed.text
    assert (await product.http.post("/rpc/auth.logout", json={})).status_code == 200
    await product.http.post("/rpc/auth.password.reset_request", json={"email": "una@example.com"})
    code = await product.last_code("una@example.com")
    reset = await product.http.post(
        "/rpc/auth.password.reset_confirm", json={"token": code, "new_password": "yet another passphrase"}
    )
    assert reset.status_code == 200, reset.text
    rows = await product.t.db.owner.fetch(
        "SELECT action, actor_user_id, target, after FROM platform_audit_log WHERE chain = 'account' ORDER BY seq"
    )
    assert [(r["action"], r["actor_user_id"]) for r in rows] == [
        ("auth.signup", user_id), ("auth.login", user_id), ("auth.login", user_id), ("auth.sessions.revoke", user_id),
        ("auth.password.change", user_id), ("auth.logout", user_id), ("auth.password.reset", user_id),
    ]  # fmt: skip
    assert rows[3]["target"] == theirs
    assert "password" not in str([dict(r) for r in rows]).replace("auth.password", "")  # no secret in a summary
    assert (await _verify(product))[2] == []


async def test_a_failed_mutation_leaves_no_audit_row(product: ProductHarness) -> None:
    await _owner_with_org(product)
    me = await _member_id(product.http, "owner@example.com")
    before = await product.t.db.owner.fetchval("SELECT count(*) FROM audit_log")
    response = await product.http.post("/rpc/members.change_role", json={"member_id": me, "role": "admin"})
    assert response.json()["error"]["code"] == "last_owner"
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM audit_log") == before == 1


async def test_a_member_may_not_read_the_log_and_an_admin_may(product: ProductHarness) -> None:
    await _owner_with_org(product)
    member = await _join(product, "mia@example.com")
    response = await member.post("/rpc/orgs.audit.list", json={})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_permitted"
    mia = await _member_id(product.http, "mia@example.com")
    await product.http.post("/rpc/members.change_role", json={"member_id": mia, "role": "admin"})
    assert (await _actions(member))[0] == "members.change_role"  # the role now, not the session's


async def test_the_log_pages_by_cursor(product: ProductHarness) -> None:
    await _owner_with_org(product)
    for n in range(4):
        await product.http.post("/rpc/orgs.rename", json={"name": f"Acme {n}"})
    seen, cursor = [], None
    while True:
        page = await _entries(product.http, limit=2, **({"cursor": cursor} if cursor else {}))
        seen.append([e["seq"] for e in page["entries"]])
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == [[5, 4], [3, 2], [1]]


async def test_bad_paging_input_is_refused_naming_the_field(product: ProductHarness) -> None:
    await _owner_with_org(product)
    for body, field in (
        ({"cursor": 0}, "cursor"), ({"cursor": "5"}, "cursor"), ({"cursor": 2**60}, "cursor"),
        ({"limit": 201}, "limit"), ({"limit": -1}, "limit"), ({"limit": 2.5}, "limit"),
    ):  # fmt: skip
        response = await product.http.post("/rpc/orgs.audit.list", json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in response.text, response.text
    response = await product.http.post("/rpc/orgs.audit.list", json={"org_id": "org_00000000000000000000000000"})
    assert response.status_code == 400 and "org_id" in response.text


async def test_an_org_deleted_keeps_its_log_and_the_chain_verifies(product: ProductHarness) -> None:
    org = await _owner_with_org(product)
    assert (await product.http.post("/rpc/orgs.delete", json={})).status_code == 200
    rows = await product.t.db.owner.fetch(
        "SELECT action, before FROM audit_log WHERE org_id = $1 ORDER BY seq", org["id"]
    )
    assert [(r["action"], r["before"]) for r in rows] == [("orgs.create", None), ("orgs.delete", '{"name": "Acme"}')]
    assert (await _verify(product))[2] == []


async def test_parallel_renames_keep_one_linear_chain_and_other_orgs_go_on(product: ProductHarness) -> None:
    await _owner_with_org(product)
    other = product.client()
    await product.sign_up_and_in(other, "other@example.com")
    assert (await other.post("/rpc/orgs.create", json={"name": "Other"})).status_code == 200

    async def rename(client: httpx.AsyncClient, name: str) -> int:
        return (await client.post("/rpc/orgs.rename", json={"name": name})).status_code

    statuses = await asyncio.gather(
        *(rename(product.http, f"Acme {n}") for n in range(36)), *(rename(other, f"Other {n}") for n in range(12))
    )
    assert statuses == [200] * 48
    chains = await product.t.db.owner.fetch(
        "SELECT array_agg(seq ORDER BY seq) AS seqs, array_agg(action ORDER BY seq) AS actions"
        " FROM audit_log GROUP BY org_id ORDER BY count(*)"
    )
    assert [len(c["seqs"]) for c in chains] == [13, 37]
    assert all(c["seqs"] == list(range(1, len(c["seqs"]) + 1)) for c in chains)
    assert (await _verify(product))[2] == []
