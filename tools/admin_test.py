"""`just admin create`: the administrator and a one-time enrolment code that enrols them."""

from __future__ import annotations

import pytest

from database import audit
from database.testing.fixture import T
from foundation.errors import ConfigurationError
from foundation.settings import load_settings
from panopticon.testing import PASSWORD, panopticon_harness
from tools.admin import create_admin


async def test_create_prints_a_code_that_enrols_the_first_owner(t: T) -> None:
    settings = load_settings({"DATABASE_URL": t.db.target.admin.render(), "APP_DATABASE_URL": t.db.target.app.render()})
    admin, code, expires_at = await create_admin(settings, "First@Example.com", "owner", clock=t.clock)
    assert (admin.email, admin.role, admin.enrolment_state) == ("first@example.com", "owner", "invited")
    assert (expires_at - t.clock.now()).total_seconds() == 24 * 3600
    async with t.db.owner.acquire() as conn:
        stored = await conn.fetchval("SELECT token_hash FROM admin_enrolment_tokens WHERE admin_id = $1", admin.id)
    assert code.encode() not in stored  # only its hash
    async with t.db.owner.acquire() as conn:
        logged = await conn.fetchrow("SELECT action, actor_admin_id, target, after FROM platform_audit_log")
        assert logged is not None
        assert (logged["action"], logged["actor_admin_id"], logged["target"]) == ("admin.created", None, admin.id)
        assert '"owner"' in logged["after"] and (await audit.verify_all(conn))[2] == []
    with pytest.raises(ConfigurationError, match="exists already"):
        await create_admin(settings, "first@example.com", "viewer", clock=t.clock)
    async with panopticon_harness(t) as pan:
        started = await pan.http.post("/rpc/auth.enrol.start", json={"code": code, "password": PASSWORD})
        assert started.status_code == 200, started.text
