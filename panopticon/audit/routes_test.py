"""The audit log view over HTTP: every chain, newest first, each filter, pages by cursor."""

from __future__ import annotations

import datetime as dt

from database import audit
from database.testing.fixture import T
from panopticon.support_testing import call, ok
from panopticon.testing import panopticon_harness


async def _event(t: T, chain: str, action: str, *, user_id: str | None = None, target: str | None = None) -> str:
    async with t.db.tenant(user_id=user_id, org_id=chain if chain.startswith("org_") else None) as conn:
        return await audit.record(
            conn,
            chain=chain,
            actor=audit.Actor(user_id=user_id),
            action=action,
            target=target,
            now=t.clock.advance(seconds=1),
        )


async def test_the_audit_view_lists_every_chain_filtered_and_paged(t: T) -> None:
    org, other_org = await t.factory.org(), await t.factory.org()
    user = await t.factory.user()
    first = await _event(t, org.id, "orgs.rename", user_id=user.id, target=org.id)
    second = await _event(t, audit.ACCOUNT, "auth.login", user_id=user.id, target="ses_x")
    third = await _event(t, other_org.id, "orgs.rename", target=other_org.id)
    at_third = t.clock.now()
    async with panopticon_harness(t) as pan, pan.signed_in("viewer@example.com", "viewer") as (_, viewer):

        async def ids(**body: object) -> list[str]:
            return [e["id"] for e in (await ok(viewer, "audit.list", **body))["entries"] if e["chain"] != audit.ADMIN]

        assert await ids() == [third, second, first]
        assert await ids(actor=user.id) == [second, first]
        assert await ids(target=org.id) == [first]
        assert await ids(action="orgs.rename") == [third, first]
        assert await ids(since=at_third.isoformat()) == [third]
        assert await ids(until=at_third.isoformat()) == [second, first]
        page = await ok(viewer, "audit.list", limit=2, action="orgs.rename")
        assert [e["id"] for e in page["entries"]] == [third, first] and page["next_cursor"] is None
        page = await ok(viewer, "audit.list", limit=1, action="orgs.rename")
        assert page["next_cursor"] == third
        rest = await ok(viewer, "audit.list", limit=1, action="orgs.rename", cursor=page["next_cursor"])
        assert [e["id"] for e in rest["entries"]] == [first] and rest["next_cursor"] is None
        entry = (await ok(viewer, "audit.list", target=org.id))["entries"][0]
        assert (entry["chain"], entry["seq"], entry["actor_user_id"], entry["action"]) == (
            org.id,
            1,
            user.id,
            "orgs.rename",
        )
        naive = await call(viewer, "audit.list", since=dt.datetime(2026, 1, 1).isoformat())
        assert naive.status_code == 400 and naive.json()["error"]["fields"][0]["path"] == "since"
        bad_actor = await call(viewer, "audit.list", actor="nobody")
        assert bad_actor.status_code == 400 and bad_actor.json()["error"]["fields"][0]["path"] == "actor"
