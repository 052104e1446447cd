"""Panopticon behind PgBouncer in transaction mode: it connects through the pooler as its own role
(APP_DATABASE_URL's, with panopticon's user), and enrolment, parallel logins and the last-owner
rule (a transaction-level advisory lock) work there."""

from __future__ import annotations

import asyncio

from database.target import PgUrl
from database.testing.fixture import T
from panopticon.testing import PASSWORD, panopticon_harness


async def test_admins_log_in_through_the_pooler_as_panopticons_role(t: T, pooler: PgUrl) -> None:
    async with panopticon_harness(t, APP_DATABASE_URL=pooler.render(), DATABASE_POOLER="transaction") as pan:
        async with pan.database.pool.acquire() as conn:
            assert await conn.fetchval("SELECT current_user") == "blossom_panopticon"
        admins = [await pan.enrol(f"pooled{n}@example.com", "owner") for n in range(6)]
        clients = [pan.client(f"192.0.2.{n + 1}") for n in range(6)]
        responses = await asyncio.gather(
            *(
                client.post(
                    "/rpc/auth.login",
                    json={"email": admin.email, "password": PASSWORD, "totp_code": pan.totp(admin.secret)},
                )
                for client, admin in zip(clients, admins, strict=True)
            )
        )
        assert [r.status_code for r in responses] == [200] * 6
        # Every owner demotes the next one at once: one owner is left, whatever the interleaving.
        demotions = await asyncio.gather(
            *(
                client.post("/rpc/admins.set_role", json={"admin_id": admins[(n + 1) % 6].id, "role": "viewer"})
                for n, client in enumerate(clients)
            )
        )
        assert all(r.status_code in (200, 403, 409) for r in demotions), [r.text for r in demotions]
        owners = await t.db.owner.fetchval("SELECT count(*) FROM admins WHERE role = 'owner'")
        assert owners >= 1
