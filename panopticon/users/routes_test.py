"""A user's page and the support actions on an account, over HTTP against the real PostgreSQL,
as administrators of each role (panopticon's own database role reading across tenants)."""

from __future__ import annotations

import pytest

from database import audit
from database.testing.fixture import T
from panopticon.support_testing import audit_rows, call, error_code, ok
from panopticon.testing import PanopticonHarness, panopticon_harness

MISSING_USER = "usr_" + "0" * 26


@pytest.fixture
async def pan(t: T):
    async with panopticon_harness(t) as harness:
        yield harness


async def test_a_users_page_shows_profile_orgs_sessions_and_audit(t: T, pan: PanopticonHarness) -> None:
    user = await t.factory.user(email="Carol@Example.test", display_name="Carol", verified=True)
    org = await t.factory.org(name="Acme")
    await t.factory.membership(org, user, "admin")
    session = await t.factory.session(user, org=org)
    other = await t.factory.user()
    await t.factory.session(other)
    async with pan.signed_in("viewer@example.com", "viewer") as (_, viewer):
        page = await ok(viewer, "users.get", user_id=user.id)
        assert page["user"]["email"] == user.email and page["user"]["display_name"] == "Carol"
        assert page["user"]["verified"] is True and page["user"]["disabled"] is False
        assert [(o["org_id"], o["name"], o["role"]) for o in page["orgs"]] == [(org.id, "Acme", "admin")]
        assert [s["id"] for s in page["sessions"]] == [session.id]  # not the other user's
        assert page["audit"] == []
        assert await error_code(viewer, "users.get", user_id=MISSING_USER) == (404, "user_not_found")


async def test_support_revokes_one_session_or_all_and_each_is_audited(t: T, pan: PanopticonHarness) -> None:
    user = await t.factory.user()
    first, second, third = [await t.factory.session(user) for _ in range(3)]
    async with pan.signed_in("support@example.com", "support") as (admin, support):
        one = await ok(support, "users.sessions.revoke", user_id=user.id, session_id=first.id, reason="asked by phone")
        assert one == {"revoked": 1}
        assert await error_code(support, "users.sessions.revoke", user_id=user.id, session_id=first.id) == (
            404,
            "session_not_found",
        )
        assert await ok(support, "users.sessions.revoke", user_id=user.id) == {"revoked": 2}
        page = await ok(support, "users.get", user_id=user.id)
    assert page["sessions"] == []
    left = await t.db.owner.fetchval("SELECT count(*) FROM sessions WHERE user_id = $1", user.id)
    assert left == 0 and second.id != third.id
    rows = await audit_rows(t, "users.sessions.revoke")
    assert [(r["chain"], r["actor_admin_id"], r["target"], r["reason"]) for r in rows] == [
        (audit.ACCOUNT, admin.id, user.id, "asked by phone"),
        (audit.ACCOUNT, admin.id, user.id, None),
    ]
    assert rows[0]["after"] == {"session_id": first.id, "sessions_ended": 1}
    assert [e["action"] for e in page["audit"]] == ["users.sessions.revoke", "users.sessions.revoke"]


async def test_an_operator_disables_and_enables_an_account(t: T, pan: PanopticonHarness) -> None:
    user = await t.factory.user()
    await t.factory.session(user)
    async with pan.signed_in("op@example.com", "operator") as (admin, op):
        disabled = await ok(op, "users.disable", user_id=user.id, reason="fraud report 42")
        assert disabled["disabled"] is True and disabled["disabled_at"] is not None
        assert await t.db.owner.fetchval("SELECT disabled_at FROM users WHERE id = $1", user.id) is not None
        assert await t.db.owner.fetchval("SELECT count(*) FROM sessions WHERE user_id = $1", user.id) == 0
        assert (await ok(op, "users.get", user_id=user.id))["user"]["disabled"] is True
        enabled = await ok(op, "users.enable", user_id=user.id, reason="cleared")
        assert enabled["disabled"] is False
        assert await t.db.owner.fetchval("SELECT disabled_at FROM users WHERE id = $1", user.id) is None
        assert await error_code(op, "users.disable", user_id=MISSING_USER, reason="x") == (404, "user_not_found")
        assert (await call(op, "users.disable", user_id=user.id)).status_code == 400  # a reason is required
        blank = await call(op, "users.disable", user_id=user.id, reason="   ")
        assert blank.status_code == 400 and blank.json()["error"]["fields"][0]["path"] == "reason"
    (disable,) = await audit_rows(t, "users.disable")
    assert disable["actor_admin_id"] == admin.id and disable["reason"] == "fraud report 42"
    assert disable["before"] == {"disabled": False} and disable["after"] == {"disabled": True, "sessions_ended": 1}
    (enable,) = await audit_rows(t, "users.enable")
    assert enable["before"] == {"disabled": True} and enable["after"] == {"disabled": False}


async def test_mail_actions_queue_the_products_jobs_in_the_outbox(t: T, pan: PanopticonHarness) -> None:
    user = await t.factory.user(email="Dana@Example.test")
    verified = await t.factory.user(verified=True)
    async with pan.signed_in("support@example.com", "support") as (admin, support):
        assert await ok(support, "users.verification.resend", user_id=user.id) == {"status": "queued"}
        assert await ok(support, "users.password_reset.send", user_id=user.id, reason="locked out") == {
            "status": "queued"
        }
        assert await error_code(support, "users.verification.resend", user_id=verified.id) == (409, "already_verified")
        assert await error_code(support, "users.password_reset.send", user_id=MISSING_USER) == (404, "user_not_found")
    jobs = await t.db.owner.fetch("SELECT kind, payload FROM outbox ORDER BY created_at, id")
    assert [(j["kind"], j["payload"]) for j in jobs] == [
        ("email_verification_requested", f'{{"user_id": "{user.id}"}}'),
        ("password_reset_requested", '{"email": "dana@example.test"}'),
    ]
    assert [r["target"] for r in await audit_rows(t, "users.password_reset.send")] == [user.id]
    assert [r["actor_admin_id"] for r in await audit_rows(t, "users.verification.resend")] == [admin.id]
