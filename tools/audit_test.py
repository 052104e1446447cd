"""`just audit verify`: the figures on an intact log, exit 1 and the broken link on a tampered one."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from database import audit
from database.testing.fixture import T
from tools.audit import verify as verify_command


async def _record(t: T, org_id: str, user_id: str) -> None:
    async with t.db.tenant(user_id=user_id, org_id=org_id) as conn:
        await audit.record(
            conn, chain=org_id, actor=audit.Actor(user_id=user_id), action="orgs.rename", now=t.clock.now()
        )


async def test_the_verify_command_exits_1_on_a_break(t: T) -> None:
    org = await t.factory.org()
    user = await t.factory.user()
    org_id, user_id = org.id, user.id
    await _record(t, org_id, user_id)
    await _record(t, org_id, user_id)
    out = io.StringIO()
    with redirect_stdout(out):
        assert await verify_command(t.db.target) == 0
    assert out.getvalue() == "1 chains, 2 rows verified, 0 broken\n"
    await t.db.owner.execute("UPDATE audit_log SET reason = 'forged' WHERE seq = 1")
    out = io.StringIO()
    with redirect_stdout(out):
        assert await verify_command(t.db.target) == 1
    first_id = await t.db.owner.fetchval("SELECT id FROM audit_log WHERE seq = 1")
    assert out.getvalue().splitlines() == [
        f"broken: {org_id}: seq 1 ({first_id}): edited: the hash does not match the row's fields",
        "1 chains, 0 rows verified, 1 broken",
    ]
