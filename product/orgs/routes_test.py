"""Organizations and members over the real app, as their users would drive it."""

import asyncio
import datetime as dt
from typing import Any

import httpx

from foundation.crypto import new_token, token_digest
from product.accounts.sessions import COOKIE_NAME
from product.orgs import queries as org_queries
from product.testing import ProductHarness, signed_in_session


async def _owner_with_org(product: ProductHarness, email: str = "owner@example.com") -> dict:
    await product.sign_up_and_in(product.http, email, "Owner")
    response = await product.http.post("/rpc/orgs.create", json={"name": "Acme"})
    assert response.status_code == 200, response.text
    return response.json()


async def _join(product: ProductHarness, email: str, role: str = "member") -> httpx.AsyncClient:
    """Invite `email` from the owner's client, then sign them up and accept as them."""
    assert (await product.http.post("/rpc/members.invite", json={"email": email, "role": role})).status_code == 200
    code = await product.last_code(email)
    client = product.client()
    await product.sign_up_and_in(client, email, email.split("@")[0])
    response = await client.post("/rpc/invites.accept", json={"token": code})
    assert response.status_code == 200, response.text
    return client


async def _member_id(client: httpx.AsyncClient, email: str) -> str:
    members = (await client.get("/rpc/members.list")).json()["members"]
    return next(m["id"] for m in members if m["email"] == email)


async def test_the_creator_owns_the_new_org_and_it_becomes_active(product: ProductHarness) -> None:
    org = await _owner_with_org(product)
    assert org["role"] == "owner"
    init = (await product.http.get("/rpc/auth.init")).json()
    assert init["active_org"] == org
    assert init["orgs"] == [org]


async def test_list_switch_rename_and_delete(product: ProductHarness) -> None:
    first = await _owner_with_org(product)
    second = (await product.http.post("/rpc/orgs.create", json={"name": "Beta"})).json()
    assert [o["name"] for o in (await product.http.get("/rpc/orgs.list")).json()["orgs"]] == ["Acme", "Beta"]
    assert (await product.http.post("/rpc/orgs.switch", json={"org_id": first["id"]})).json()["id"] == first["id"]
    renamed = await product.http.post("/rpc/orgs.rename", json={"name": "Acme Ltd"})
    assert renamed.json()["name"] == "Acme Ltd"
    assert (await product.http.post("/rpc/orgs.delete", json={})).status_code == 200
    assert [o["id"] for o in (await product.http.get("/rpc/orgs.list")).json()["orgs"]] == [second["id"]]


async def test_switching_to_an_org_i_do_not_belong_to_is_not_found(product: ProductHarness) -> None:
    stranger = product.client()
    await product.sign_up_and_in(stranger, "stranger@example.com")
    theirs = (await stranger.post("/rpc/orgs.create", json={"name": "Theirs"})).json()
    await _owner_with_org(product)
    response = await product.http.post("/rpc/orgs.switch", json={"org_id": theirs["id"]})
    assert response.json()["error"]["code"] == "org_not_found"


async def test_invite_accept_and_list_members(product: ProductHarness) -> None:
    await _owner_with_org(product)
    member = await _join(product, "mia@example.com")
    members = (await member.get("/rpc/members.list")).json()
    assert [(m["email"], m["role"]) for m in members["members"]] == [
        ("owner@example.com", "owner"),
        ("mia@example.com", "member"),
    ]
    assert members["invites"] == []


async def test_an_invitation_for_someone_else_cannot_be_accepted(product: ProductHarness) -> None:
    await _owner_with_org(product)
    await product.http.post("/rpc/members.invite", json={"email": "rightful@example.com"})
    code = await product.last_code("rightful@example.com")
    thief = product.client()
    await product.sign_up_and_in(thief, "thief@example.com")
    response = await thief.post("/rpc/invites.accept", json={"token": code})
    assert response.json()["error"]["code"] == "invalid_token"


async def test_decline_and_cancel(product: ProductHarness) -> None:
    await _owner_with_org(product)
    await product.http.post("/rpc/members.invite", json={"email": "nope@example.com"})
    code = await product.last_code("nope@example.com")
    invitee = product.client()
    await product.sign_up_and_in(invitee, "nope@example.com")
    assert (await invitee.post("/rpc/invites.decline", json={"token": code})).status_code == 200
    assert (await invitee.post("/rpc/invites.accept", json={"token": code})).json()["error"]["code"] == "invalid_token"
    invite = (await product.http.post("/rpc/members.invite", json={"email": "later@example.com"})).json()
    assert (await product.http.post("/rpc/invites.cancel", json={"invite_id": invite["id"]})).status_code == 200
    assert (await product.http.get("/rpc/members.list")).json()["invites"] == []


async def test_members_cannot_manage_and_admins_cannot_touch_owners(product: ProductHarness) -> None:
    await _owner_with_org(product)
    member = await _join(product, "m@example.com")
    admin = await _join(product, "a@example.com", role="admin")
    owner_id = await _member_id(product.http, "owner@example.com")
    for route, body in (
        ("orgs.rename", {"name": "Mine"}),
        ("members.invite", {"email": "x@example.com"}),
        ("orgs.delete", {}),
    ):
        response = await member.post(f"/rpc/{route}", json=body)
        assert response.json()["error"]["code"] == "not_permitted", route
    response = await admin.post("/rpc/members.remove", json={"member_id": owner_id})
    assert response.json()["error"]["code"] == "not_permitted"
    response = await admin.post("/rpc/members.change_role", json={"member_id": owner_id, "role": "member"})
    assert response.json()["error"]["code"] == "not_permitted"
    assert (await admin.post("/rpc/orgs.delete", json={})).json()["error"]["code"] == "not_permitted"
    member_id = await _member_id(admin, "m@example.com")
    changed = await admin.post("/rpc/members.change_role", json={"member_id": member_id, "role": "admin"})
    assert changed.json()["role"] == "admin"


async def test_the_last_owner_can_neither_leave_nor_be_demoted(product: ProductHarness) -> None:
    await _owner_with_org(product)
    owner_id = await _member_id(product.http, "owner@example.com")
    assert (await product.http.post("/rpc/members.leave", json={})).json()["error"]["code"] == "last_owner"
    demote = await product.http.post("/rpc/members.change_role", json={"member_id": owner_id, "role": "admin"})
    assert demote.json()["error"]["code"] == "last_owner"


async def test_transfer_ownership_then_the_old_owner_may_leave(product: ProductHarness) -> None:
    await _owner_with_org(product)
    member = await _join(product, "heir@example.com")
    heir_id = await _member_id(product.http, "heir@example.com")
    moved = await product.http.post("/rpc/orgs.transfer_ownership", json={"member_id": heir_id})
    assert moved.json()["role"] == "owner"
    assert (await product.http.post("/rpc/members.leave", json={})).status_code == 200
    members = (await member.get("/rpc/members.list")).json()["members"]
    assert [(m["email"], m["role"]) for m in members] == [("heir@example.com", "owner")]


async def test_removing_a_member_ends_their_access(product: ProductHarness) -> None:
    await _owner_with_org(product)
    member = await _join(product, "gone@example.com")
    member_id = await _member_id(product.http, "gone@example.com")
    assert (await product.http.post("/rpc/members.remove", json={"member_id": member_id})).status_code == 200
    response = await member.get("/rpc/members.list")
    assert response.status_code == 403  # the session's org is no longer theirs


async def _owners(product: ProductHarness, count: int) -> tuple[str, list[dict[str, str]]]:
    """An org with `count` owners, each signed in: (org id, [{"cookie": …, "member_id": …}])."""
    t = product.t
    org = await t.factory.org()
    owners = []
    for _ in range(count):
        user = await t.factory.user()
        membership = await t.factory.membership(org, user, "owner")
        token = await signed_in_session(t, user_id=user.id, org_id=org.id)
        owners.append({"cookie": f"{COOKIE_NAME}={token}", "member_id": membership.id})
    return org.id, owners


async def _owner_count(product: ProductHarness, org_id: str) -> int:
    return await product.t.db.owner.fetchval(
        "SELECT count(*) FROM memberships WHERE org_id = $1 AND role = 'owner'", org_id
    )


async def test_owners_leaving_at_the_same_moment_never_leave_the_org_without_one(product: ProductHarness) -> None:
    for _ in range(5):
        org_id, owners = await _owners(product, 4)
        responses = await asyncio.gather(
            *(product.http.post("/rpc/members.leave", json={}, headers={"cookie": o["cookie"]}) for o in owners)
        )
        assert sorted(r.status_code for r in responses) == [200, 200, 200, 409], [r.text for r in responses]
        assert next(r for r in responses if r.status_code == 409).json()["error"]["code"] == "last_owner"
        assert await _owner_count(product, org_id) == 1


async def test_two_owners_demoting_each_other_at_the_same_moment_keep_one_owner(product: ProductHarness) -> None:
    for _ in range(5):
        org_id, (a, b) = await _owners(product, 2)
        responses = await asyncio.gather(
            product.http.post(
                "/rpc/members.change_role",
                json={"member_id": b["member_id"], "role": "admin"},
                headers={"cookie": a["cookie"]},
            ),
            product.http.post(
                "/rpc/members.change_role",
                json={"member_id": a["member_id"], "role": "member"},
                headers={"cookie": b["cookie"]},
            ),
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses in ([200, 409], [200, 403]), [r.text for r in responses]  # 403: demoted before acting
        assert await _owner_count(product, org_id) == 1


async def test_deleting_the_org_is_not_blocked_by_the_owner_rule(product: ProductHarness) -> None:
    org_id, (owner,) = await _owners(product, 1)
    response = await product.http.post("/rpc/orgs.delete", json={}, headers={"cookie": owner["cookie"]})
    assert response.status_code == 200, response.text
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM memberships WHERE org_id = $1", org_id) == 0


async def test_two_owners_transferring_ownership_to_each_other_neither_deadlock_nor_fail(product: ProductHarness):
    for _ in range(6):
        org_id, (x, y) = await _owners(product, 2)
        responses = await asyncio.gather(
            product.http.post(
                "/rpc/orgs.transfer_ownership", json={"member_id": y["member_id"]}, headers={"cookie": x["cookie"]}
            ),
            product.http.post(
                "/rpc/orgs.transfer_ownership", json={"member_id": x["member_id"]}, headers={"cookie": y["cookie"]}
            ),
        )
        assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
        assert await _owner_count(product, org_id) >= 1


async def test_two_owners_removing_each_other_at_once_cannot_both_succeed(product: ProductHarness) -> None:
    """Each request re-reads its caller's role under the org's lock: once X removed Y, Y's
    session still says owner, but Y is no longer a member and is refused."""
    for _ in range(6):
        org_id, (x, y, _z) = await _owners(product, 3)
        responses = await asyncio.gather(
            product.http.post(
                "/rpc/members.remove", json={"member_id": y["member_id"]}, headers={"cookie": x["cookie"]}
            ),
            product.http.post(
                "/rpc/members.remove", json={"member_id": x["member_id"]}, headers={"cookie": y["cookie"]}
            ),
        )
        assert sorted(r.status_code for r in responses) == [200, 403], [r.text for r in responses]
        assert await _owner_count(product, org_id) == 2


async def test_renaming_while_the_org_is_deleted_is_an_answer_not_a_500(product: ProductHarness) -> None:
    for _ in range(6):
        _org_id, (x, y) = await _owners(product, 2)
        responses = await asyncio.gather(
            product.http.post("/rpc/orgs.rename", json={"name": "New"}, headers={"cookie": x["cookie"]}),
            product.http.post("/rpc/orgs.delete", json={}, headers={"cookie": y["cookie"]}),
        )
        assert all(r.status_code < 500 for r in responses), [r.text for r in responses]


async def _invitation(product: ProductHarness, org: Any, email: str, role: org_queries.OrgRole = "member") -> str:
    token = new_token()
    now = product.t.clock.now()
    async with product.t.db.owner.acquire() as conn:
        await org_queries.insert_invite(
            conn,
            org_id=org.id,
            email=email,
            role=role,
            token_hash=token_digest(token),
            invited_by=None,
            now=now,
            expires_at=now + dt.timedelta(days=1),
        )
    return token


async def test_accepting_while_the_org_is_deleted_is_an_answer_not_a_deadlock(product: ProductHarness) -> None:
    t = product.t
    for n in range(25):
        org = await t.factory.org()
        owner = await t.factory.user()
        await t.factory.membership(org, owner, "owner")
        invitee = await t.factory.user(email=f"invitee{n}@example.com")
        token = await _invitation(product, org, invitee.email)
        owner_cookie = f"{COOKIE_NAME}={await signed_in_session(t, user_id=owner.id, org_id=org.id)}"
        invitee_cookie = f"{COOKIE_NAME}={await signed_in_session(t, user_id=invitee.id, org_id=None)}"
        responses = await asyncio.gather(
            product.http.post("/rpc/invites.accept", json={"token": token}, headers={"cookie": invitee_cookie}),
            product.http.post("/rpc/orgs.delete", json={}, headers={"cookie": owner_cookie}),
        )
        assert all(r.status_code < 500 for r in responses), [r.text for r in responses]


async def test_two_invitations_accepted_at_once_make_one_membership(product: ProductHarness) -> None:
    t = product.t
    for n in range(10):
        org = await t.factory.org()
        invitee = await t.factory.user(email=f"twice{n}@example.com")
        roles: list[org_queries.OrgRole] = ["member", "admin"]
        tokens = [await _invitation(product, org, invitee.email, role) for role in roles]
        cookie = f"{COOKIE_NAME}={await signed_in_session(t, user_id=invitee.id, org_id=None)}"
        responses = await asyncio.gather(
            *(product.http.post("/rpc/invites.accept", json={"token": tk}, headers={"cookie": cookie}) for tk in tokens)
        )
        assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
        memberships = await t.db.owner.fetchval(
            "SELECT count(*) FROM memberships WHERE org_id = $1 AND user_id = $2", org.id, invitee.id
        )
        assert memberships == 1
