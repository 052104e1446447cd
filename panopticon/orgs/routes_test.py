"""An organization's page and the operator's actions on it, over HTTP against the real
PostgreSQL, races included: the database keeps an owner in every organization."""

from __future__ import annotations

import asyncio

import pytest

from database import audit
from database.testing.fixture import T
from panopticon.support_testing import audit_rows, call, error_code, ok
from panopticon.testing import PanopticonHarness, panopticon_harness

MISSING_ORG = "org_" + "0" * 26


@pytest.fixture
async def pan(t: T):
    async with panopticon_harness(t, DATABASE_POOL_SIZE="3") as harness:
        yield harness


async def _owners(t: T, org_id: str) -> list[str]:
    rows = await t.db.owner.fetch(
        "SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'owner' ORDER BY user_id", org_id
    )
    return [r["user_id"] for r in rows]


async def test_an_orgs_page_shows_members_pending_invites_and_its_audit(t: T, pan: PanopticonHarness) -> None:
    org = await t.factory.org(name="Acme")
    owner, member = await t.factory.user(), await t.factory.user()
    await t.factory.membership(org, owner, "owner")
    await t.factory.membership(org, member)
    pending = await t.factory.invite(org, invited_by=owner)
    await t.factory.invite(org, status="accepted")
    elsewhere = await t.factory.org()
    await t.factory.membership(elsewhere, await t.factory.user(), "owner")
    async with pan.signed_in("viewer@example.com", "viewer") as (_, viewer):
        page = await ok(viewer, "orgs.get", org_id=org.id)
        assert page["org"]["name"] == "Acme"
        assert [(m["user_id"], m["role"]) for m in page["members"]] == [(owner.id, "owner"), (member.id, "member")]
        assert [i["id"] for i in page["invites"]] == [pending.id]
        assert page["audit"] == []
        assert await error_code(viewer, "orgs.get", org_id=MISSING_ORG) == (404, "org_not_found")


async def test_operator_actions_on_an_org_are_audited_on_its_chain(t: T, pan: PanopticonHarness) -> None:
    org = await t.factory.org(name="Acme")
    owner, member, other = await t.factory.user(), await t.factory.user(), await t.factory.user()
    await t.factory.membership(org, owner, "owner")
    await t.factory.membership(org, member)
    await t.factory.membership(org, other)
    invite = await t.factory.invite(org)
    async with pan.signed_in("op@example.com", "operator") as (admin, op):
        await ok(op, "orgs.members.remove", org_id=org.id, user_id=other.id, reason="left the company")
        assert await error_code(op, "orgs.members.remove", org_id=org.id, user_id=other.id, reason="again") == (
            404,
            "member_not_found",
        )
        assert await error_code(op, "orgs.members.remove", org_id=org.id, user_id=owner.id, reason="x") == (
            409,
            "last_owner",
        )
        await ok(op, "orgs.invites.cancel", org_id=org.id, invite_id=invite.id, reason="typo in the address")
        assert await error_code(op, "orgs.invites.cancel", org_id=org.id, invite_id=invite.id, reason="x") == (
            404,
            "invite_not_found",
        )
        moved = await ok(op, "orgs.ownership.transfer", org_id=org.id, user_id=member.id, reason="owner left")
        assert moved == {"owner": member.id, "demoted": [owner.id]}
        assert await _owners(t, org.id) == [member.id]
        page = await ok(op, "orgs.get", org_id=org.id)
        assert {e["action"] for e in page["audit"]} == {
            "orgs.members.remove",
            "orgs.invites.cancel",
            "orgs.ownership.transfer",
        }
    (remove,) = await audit_rows(t, "orgs.members.remove")
    assert (remove["chain"], remove["actor_admin_id"], remove["target"]) == (org.id, admin.id, other.id)
    assert remove["reason"] == "left the company" and remove["before"]["role"] == "member"
    (cancel,) = await audit_rows(t, "orgs.invites.cancel")
    assert cancel["after"] == {"status": "cancelled"} and cancel["target"] == invite.id
    (transfer,) = await audit_rows(t, "orgs.ownership.transfer")
    assert transfer["before"] == {"owners": owner.id} and transfer["after"] == {"owner": member.id}
    assert await t.db.owner.fetchval("SELECT status FROM invites WHERE id = $1", invite.id) == "cancelled"
    async with t.db.owner.acquire() as conn:
        chains, rows, breaks = await audit.verify_all(conn)
    assert (chains, rows, breaks) == (2, 5, [])  # the org's chain (3), the admin's enrolment and login (2)


async def test_deleting_an_org_needs_its_exact_name_and_leaves_its_chain(t: T, pan: PanopticonHarness) -> None:
    org = await t.factory.org(name="Acme Ltd")
    owner = await t.factory.user()
    await t.factory.membership(org, owner, "owner")
    await t.factory.session(owner, org=org)
    async with pan.signed_in("op@example.com", "operator") as (admin, op):
        for wrong in ("acme ltd", "Acme", ""):
            failure = await call(op, "orgs.delete", org_id=org.id, confirm_name=wrong, reason="closing")
            assert failure.status_code == 400 and failure.json()["error"]["code"] == "confirmation_mismatch"
        assert await t.db.owner.fetchval("SELECT count(*) FROM orgs WHERE id = $1", org.id) == 1
        await ok(op, "orgs.delete", org_id=org.id, confirm_name="Acme Ltd", reason="customer asked")
        assert await error_code(op, "orgs.delete", org_id=org.id, confirm_name="Acme Ltd", reason="x") == (
            404,
            "org_not_found",
        )
        listed = await ok(op, "audit.list", target=org.id)
    assert await t.db.owner.fetchval("SELECT count(*) FROM memberships WHERE org_id = $1", org.id) == 0
    assert await t.db.owner.fetchval("SELECT active_org_id FROM sessions WHERE user_id = $1", owner.id) is None
    (row,) = await audit_rows(t, "orgs.delete")
    assert (row["chain"], row["actor_admin_id"], row["before"]) == (org.id, admin.id, {"name": "Acme Ltd"})
    assert [e["action"] for e in listed["entries"]] == ["orgs.delete"]


async def test_two_operators_transferring_ownership_at_once_leave_one_owner(t: T, pan: PanopticonHarness) -> None:
    for _ in range(5):
        org = await t.factory.org()
        owner, a, b = await t.factory.user(), await t.factory.user(), await t.factory.user()
        await t.factory.membership(org, owner, "owner")
        await t.factory.membership(org, a)
        await t.factory.membership(org, b)
        async with (
            pan.signed_in(f"op1-{org.id}@example.com", "operator") as (_, op1),
            pan.signed_in(f"op2-{org.id}@example.com", "operator") as (_, op2),
        ):
            first, second = await asyncio.gather(
                call(op1, "orgs.ownership.transfer", org_id=org.id, user_id=a.id, reason="race"),
                call(op2, "orgs.ownership.transfer", org_id=org.id, user_id=b.id, reason="race"),
            )
        assert first.status_code == second.status_code == 200, (first.text, second.text)
        owners = await _owners(t, org.id)
        assert len(owners) == 1 and owners[0] in (a.id, b.id)


async def test_two_operators_removing_the_last_two_owners_leave_one(t: T, pan: PanopticonHarness) -> None:
    for round in range(5):
        org = await t.factory.org()
        a, b = await t.factory.user(), await t.factory.user()
        await t.factory.membership(org, a, "owner")
        await t.factory.membership(org, b, "owner")
        async with (
            pan.signed_in(f"op1-{org.id}@example.com", "operator") as (_, op1),
            pan.signed_in(f"op2-{org.id}@example.com", "operator") as (_, op2),
        ):
            results = await asyncio.gather(
                call(op1, "orgs.members.remove", org_id=org.id, user_id=a.id, reason="race"),
                call(op2, "orgs.members.remove", org_id=org.id, user_id=b.id, reason="race"),
            )
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
        assert len(await _owners(t, org.id)) == 1
        assert len(await audit_rows(t, "orgs.members.remove")) == round + 1


async def test_many_parallel_actions_at_several_times_the_pool_size(t: T, pan: PanopticonHarness) -> None:
    """Pool of 3; 24 actions at once (disable, revoke, remove, search) all answer, none 5xx."""
    org = await t.factory.org()
    await t.factory.membership(org, await t.factory.user(), "owner")
    users = [await t.factory.user() for _ in range(8)]
    for u in users:
        await t.factory.membership(org, u)
        await t.factory.session(u)
    async with pan.signed_in("op@example.com", "operator") as (_, op):
        calls = []
        for u in users:
            calls.append(call(op, "users.disable", user_id=u.id, reason="bulk"))
            calls.append(call(op, "orgs.members.remove", org_id=org.id, user_id=u.id, reason="bulk"))
            calls.append(call(op, "search.users", query=u.email[:6]))
        results = await asyncio.gather(*calls)
    assert [r.status_code for r in results] == [200] * len(calls), [r.text for r in results if r.status_code != 200]
    assert await t.db.owner.fetchval("SELECT count(*) FROM memberships WHERE org_id = $1", org.id) == 1
    assert await t.db.owner.fetchval("SELECT count(*) FROM sessions") == 0
    assert len(await audit_rows(t, "users.disable")) == 8
