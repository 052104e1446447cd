"""Organization details and provisioned members over /rpc/, signed in as their owners and admins."""

from __future__ import annotations

import asyncio

import httpx

from product.accounts.sessions import COOKIE_NAME
from product.testing import ProductHarness, signed_in_session


async def _owner_with_org(product: ProductHarness) -> dict:
    await product.sign_up_and_in(product.http, "owner@example.com", "Owner")
    response = await product.http.post("/rpc/orgs.create", json={"name": "Acme", "slug": "acme"})
    assert response.status_code == 200, response.text
    return response.json()


async def _as(product: ProductHarness, org_id: str, role: str, email: str) -> httpx.AsyncClient:
    user = await product.t.factory.user(email=email)
    await product.t.db.owner.execute(
        "INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)", org_id, user.id, role
    )
    client = product.client()
    client.cookies.set(COOKIE_NAME, await signed_in_session(product.t, user_id=user.id, org_id=org_id))
    return client


async def test_details_slug_and_update(product: ProductHarness) -> None:
    org = await _owner_with_org(product)
    detail = (await product.http.get("/rpc/orgs.get")).json()
    assert (detail["id"], detail["slug"], detail["role"]) == (org["id"], "acme", "owner")
    assert (await product.http.post("/rpc/orgs.update", json={"name": "Acme Ltd"})).json()["slug"] == "acme"
    cleared = (await product.http.post("/rpc/orgs.update", json={"slug": None})).json()
    assert (cleared["name"], cleared["slug"]) == ("Acme Ltd", None)
    bad = await product.http.post("/rpc/orgs.update", json={"slug": "Not A Slug"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"][0]["path"] == "slug"
    member = await _as(product, org["id"], "member", "m@example.com")
    assert (await member.post("/rpc/orgs.update", json={"name": "Mine"})).json()["error"]["code"] == "not_permitted"


async def test_a_provisioned_member_sets_a_password_through_the_reset_flow(product: ProductHarness) -> None:
    await _owner_with_org(product)
    response = await product.http.post(
        "/rpc/members.provision", json={"email": "new@example.com", "display_name": "New"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "member"
    stored = await product.t.db.owner.fetchrow(
        "SELECT password_hash, managed_by_org FROM users WHERE email = 'new@example.com'"
    )
    assert stored is not None and stored["password_hash"] == "!" and stored["managed_by_org"] is not None
    code = await product.last_code("new@example.com")
    assert (
        await product.http.post(
            "/rpc/auth.password.reset_confirm", json={"token": code, "new_password": "a fresh long phrase"}
        )
    ).status_code == 200
    client = product.client()
    login = await client.post("/rpc/auth.login", json={"email": "new@example.com", "password": "a fresh long phrase"})
    assert login.status_code == 200, login.text


async def test_provisioning_an_existing_email_is_refused_and_writes_nothing(product: ProductHarness) -> None:
    await _owner_with_org(product)
    response = await product.http.post(
        "/rpc/members.provision", json={"email": "OWNER@example.com", "display_name": "X"}
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "email_taken"
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM users") == 1
    assert not [m for m in await product.sent_mail() if "password reset" in m.body]  # no reset code sent


async def test_two_admins_provisioning_one_email_at_once_make_one_account(product: ProductHarness) -> None:
    org = await _owner_with_org(product)
    admin = await _as(product, org["id"], "admin", "admin@example.com")
    body = {"email": "race@example.com", "display_name": "Race"}
    responses = await asyncio.gather(*(c.post("/rpc/members.provision", json=body) for c in [product.http, admin] * 4))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM users WHERE email = 'race@example.com'") == 1


async def test_only_managed_accounts_are_updated_or_added_back(product: ProductHarness) -> None:
    org = await _owner_with_org(product)
    colleague = await _as(product, org["id"], "member", "colleague@example.com")
    colleague_id = (await colleague.get("/rpc/auth.init")).json()["user"]["id"]
    refused = await product.http.post(
        "/rpc/members.update_managed", json={"user_id": colleague_id, "email": "mine@example.com"}
    )
    assert refused.json()["error"]["code"] == "user_not_found"
    assert (
        await product.t.db.owner.fetchval("SELECT email FROM users WHERE id = $1", colleague_id)
        == "colleague@example.com"
    )

    made = (
        await product.http.post("/rpc/members.provision", json={"email": "p@example.com", "display_name": "P"})
    ).json()
    changed = await product.http.post(
        "/rpc/members.update_managed", json={"user_id": made["user_id"], "email": "q@example.com"}
    )
    assert changed.json()["email"] == "q@example.com"
    taken = await product.http.post(
        "/rpc/members.update_managed", json={"user_id": made["user_id"], "email": "owner@example.com"}
    )
    assert taken.json()["error"]["code"] == "email_taken"

    assert (await product.http.post("/rpc/members.remove_user", json={"user_id": made["user_id"]})).status_code == 200
    assert (await product.http.post("/rpc/members.get", json={"user_id": made["user_id"]})).status_code == 404
    back = await product.http.post("/rpc/members.add", json={"user_id": made["user_id"], "role": "admin"})
    assert back.json()["role"] == "admin"
    assert (await product.http.post("/rpc/members.remove_user", json={"user_id": colleague_id})).status_code == 200
    stranger = await product.http.post("/rpc/members.add", json={"user_id": colleague_id})
    assert stranger.json()["error"]["code"] == "user_not_found"


async def test_the_last_owner_stays_and_admins_do_not_remove_owners(product: ProductHarness) -> None:
    org = await _owner_with_org(product)
    owner_id = (await product.http.get("/rpc/auth.init")).json()["user"]["id"]
    admin = await _as(product, org["id"], "admin", "admin@example.com")
    refused = await admin.post("/rpc/members.remove_user", json={"user_id": owner_id})
    assert refused.json()["error"]["code"] == "not_permitted"
    last = await product.http.post("/rpc/members.remove_user", json={"user_id": owner_id})
    assert last.json()["error"]["code"] == "last_owner"


async def test_pages_are_keyset_and_complete(product: ProductHarness) -> None:
    await _owner_with_org(product)
    for i in range(5):
        body = {"email": f"u{i}@example.com", "display_name": f"U{i}"}
        assert (await product.http.post("/rpc/members.provision", json=body)).status_code == 200
    seen, after = [], None
    while True:
        page = (await product.http.post("/rpc/members.page", json={"limit": 2, "after": after})).json()
        seen += [m["user_id"] for m in page["members"]]
        after = page["next_after"]
        if after is None:
            break
    assert len(seen) == 6 and seen == sorted(seen)
    orgs = (await product.http.post("/rpc/orgs.page", json={"limit": 1})).json()
    assert len(orgs["orgs"]) == 1 and orgs["next_after"] is None


async def test_member_changes_are_audited(product: ProductHarness) -> None:
    await _owner_with_org(product)
    await product.http.post("/rpc/orgs.update", json={"slug": "acme-two"})
    made = (
        await product.http.post("/rpc/members.provision", json={"email": "p@example.com", "display_name": "P"})
    ).json()
    await product.http.post("/rpc/members.update_managed", json={"user_id": made["user_id"], "display_name": "Pat"})
    await product.http.post("/rpc/members.remove_user", json={"user_id": made["user_id"]})
    await product.http.post("/rpc/members.add", json={"user_id": made["user_id"]})
    actions = [
        e["action"] for e in (await product.http.post("/rpc/orgs.audit.list", json={"limit": 50})).json()["entries"]
    ]
    assert actions[:5] == [
        "members.add",
        "members.remove_user",
        "members.update_managed",
        "members.provision",
        "orgs.update",
    ]


async def test_once_its_person_sets_a_password_a_provisioned_account_is_theirs(product: ProductHarness) -> None:
    """Review finding: the provisioning org could point the account's email at itself, reset the
    password and reach every other organization of the person."""
    await product.sign_up_and_in(product.http, "owner@example.com", "Owner")
    acme = await product.http.post("/rpc/orgs.create", json={"name": "Acme", "slug": "acme"})
    assert acme.status_code == 200, acme.text
    made = await product.http.post("/rpc/members.provision", json={"email": "p@example.com", "display_name": "P"})
    assert made.status_code == 200, made.text
    user_id = made.json()["user_id"]
    renamed = await product.http.post("/rpc/members.update_managed", json={"user_id": user_id, "display_name": "Pat"})
    assert renamed.status_code == 200, renamed.text  # before a password: the org's to manage
    person = product.client()
    code = await product.last_code("p@example.com")
    reset = {"token": code, "new_password": "a fresh long phrase"}
    assert (await person.post("/rpc/auth.password.reset_confirm", json=reset)).status_code == 200
    changed = await product.http.post(
        "/rpc/members.update_managed", json={"user_id": user_id, "email": "attacker@example.com"}
    )
    assert changed.json()["error"]["code"] == "user_not_found", changed.text
    email = await product.t.db.owner.fetchval("SELECT email FROM users WHERE id = $1", user_id)
    assert email == "p@example.com"
    async with product.t.db.tenant(user_id=None, org_id=acme.json()["id"]) as conn:  # the policy too
        assert await conn.execute("UPDATE users SET email = 'x@example.com' WHERE id = $1", user_id) == "UPDATE 0"
