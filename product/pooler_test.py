"""Two tenants hammering organization routes through PgBouncer in transaction mode, with more
requests in flight than the pooler has server connections: every answer is the caller's own
organization's, never the other's (the tenant context travels inside each transaction)."""

from __future__ import annotations

import asyncio

from database.target import PgUrl
from database.testing.fixture import T
from product.accounts.sessions import COOKIE_NAME
from product.testing import product_harness, signed_in_session

IN_FLIGHT = 60  # requests at once; the app pool holds 10 connections and PgBouncer 3 server ones
ROUNDS = 5


async def test_two_tenants_through_a_pooler_with_fewer_server_connections_see_only_their_own(
    t: T, pooler: PgUrl
) -> None:
    tenants = []
    for name in ("Alpha", "Beta"):
        org = await t.factory.org(name=f"{name} Corp")
        owner = await t.factory.user(email=f"owner@{name.lower()}.example", display_name=f"{name} Owner")
        await t.factory.membership(org, owner, "owner")
        for i in range(3 if name == "Alpha" else 5):  # different counts tell the answers apart
            await t.factory.note(org, body=f"{name} note {i}", author=owner)
        token = await signed_in_session(t, user_id=owner.id, org_id=org.id)
        tenants.append((org, owner, {"cookie": f"{COOKIE_NAME}={token}"}, 3 if name == "Alpha" else 5))

    async with product_harness(
        t, APP_DATABASE_URL=pooler.render(), DATABASE_POOLER="transaction", DATABASE_POOL_SIZE="10"
    ) as product:

        async def call(i: int) -> None:
            org, owner, cookie, notes = tenants[i % 2]
            other = tenants[(i + 1) % 2]
            route = ("demo.note_count", "members.list", "orgs.list")[i % 3]
            response = await product.http.post(f"/rpc/{route}", json={}, headers=cookie)
            assert response.status_code == 200, response.text
            text = response.text
            assert other[0].id not in text and other[1].email not in text, f"{route} leaked the other tenant: {text}"
            if route == "demo.note_count":
                assert response.json() == {"org_id": org.id, "notes": notes}
            elif route == "members.list":
                assert [m["email"] for m in response.json()["members"]] == [owner.email]
            else:
                assert [o["id"] for o in response.json()["orgs"]] == [org.id]

        for _ in range(ROUNDS):
            await asyncio.gather(*(call(i) for i in range(IN_FLIGHT)))
