"""A user's page shows what administrators did acting as the user (impersonated writes:
actor_user_id is NULL, acting_as_user_id the user): review finding."""

from __future__ import annotations

import pytest

from database.testing.fixture import T
from foundation.ids import new_id
from panopticon.support_testing import ok
from panopticon.testing import PanopticonHarness, panopticon_harness


@pytest.fixture
async def pan(t: T):
    async with panopticon_harness(t) as harness:
        yield harness


async def test_a_users_page_shows_what_was_done_acting_as_them(t: T, pan: PanopticonHarness) -> None:
    user = await t.factory.user(email="dora@example.test")
    org = await t.factory.org(name="Dora's")
    await t.factory.membership(org, user, "owner")
    admin_id = new_id("adm", clock=t.clock)
    # The row product/audit.py writes for orgs.rename under a writes impersonation of `user`.
    await t.db.owner.execute(
        "INSERT INTO audit_log (org_id, seq, at, actor_admin_id, acting_as_user_id, action, target, prev_hash, hash)"
        " VALUES ($1, 1, now(), $2, $3, 'orgs.rename', $1, decode(repeat('00', 32), 'hex'),"
        " decode(repeat('00', 32), 'hex'))",
        org.id,
        admin_id,
        user.id,
    )
    async with pan.signed_in("viewer@example.com", "viewer") as (_, viewer):
        page = await ok(viewer, "users.get", user_id=user.id)
    assert [e["action"] for e in page["audit"]] == ["orgs.rename"], page["audit"]
