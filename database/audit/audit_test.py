"""The audit log's promises, on the real PostgreSQL: rows chain by hash and `verify` recomputes
them; the request role may insert and read (under RLS) but never change or remove a row; a rolled
back transaction leaves nothing; every tampering the owner can do is reported; writers of one
chain take turns and writers of different chains never wait on each other."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import asyncpg
import pytest

from database import audit
from database.audit.verify import GENESIS
from database.pool import create_app_pool
from database.testing.fixture import T
from database.tx import tenant_transaction


async def _record(t: T, org_id: str, user_id: str, action: str = "orgs.rename", **fields: Any) -> str:
    async with t.db.tenant(user_id=user_id, org_id=org_id) as conn:
        return await audit.record(
            conn, chain=org_id, actor=audit.Actor(user_id=user_id), action=action, now=t.clock.now(), **fields
        )


async def _verify(t: T) -> tuple[int, int, list[audit.Break]]:
    async with t.db.owner.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return await audit.verify_all(conn)


async def _world(t: T) -> tuple[str, str]:
    org = await t.factory.org()
    user = await t.factory.user()
    await t.factory.membership(org, user, "owner")
    return org.id, user.id


async def test_rows_chain_by_hash_and_verify_recomputes_them(t: T) -> None:
    org_id, user_id = await _world(t)
    first = await _record(
        t, org_id, user_id, target=org_id, request_id="req-1", client_address="203.0.113.9",
        before={"name": "Old"}, after={"name": "New ✓"}, reason=None,
    )  # fmt: skip
    second = await _record(t, org_id, user_id, action="members.remove", target="mem_x")
    rows = await t.db.owner.fetch("SELECT * FROM audit_log WHERE org_id = $1 ORDER BY seq", org_id)
    assert [(r["id"], r["seq"]) for r in rows] == [(first, 1), (second, 2)]
    assert rows[0]["prev_hash"] == GENESIS and rows[1]["prev_hash"] == rows[0]["hash"]
    assert rows[0]["request_id"] == "req-1" and rows[0]["client_address"] == "203.0.113.9"
    head = await t.db.owner.fetchrow("SELECT seq, hash FROM audit_heads WHERE org_id = $1", org_id)
    assert head is not None
    assert (head["seq"], head["hash"]) == (2, rows[1]["hash"])
    # The hash is SHA-256 of what the README says, computed here by hand for the second row.
    r = rows[1]
    micros = await t.db.owner.fetchval("SELECT (extract(epoch FROM $1::timestamptz) * 1000000)::bigint", r["at"])

    def field(v: str | None) -> bytes:
        return b"\xff\xff\xff\xff" if v is None else len(v.encode()).to_bytes(4, "big") + v.encode()

    parts = ["blossom-audit-v1", org_id, "2", second, str(micros), user_id, None, None, "members.remove", "mem_x"]
    expected = hashlib.sha256(r["prev_hash"] + b"".join(map(field, [*parts, None, None, None, None, None])))
    assert r["hash"] == expected.digest()
    assert await _verify(t) == (1, 2, [])


async def test_account_and_admin_chains_are_their_own(t: T) -> None:
    org_id, user_id = await _world(t)
    await _record(t, org_id, user_id)
    async with t.db.tenant(user_id=user_id) as conn:
        for _ in range(2):
            await audit.record(
                conn, chain=audit.ACCOUNT, actor=audit.Actor(user_id=user_id), action="auth.login", now=t.clock.now()
            )
    admin = audit.Actor(admin_id="adm_" + user_id.removeprefix("usr_"))
    async with t.db.owner.acquire() as conn, conn.transaction():  # a role outside the product's (panopticon's)
        await audit.record(conn, chain=audit.ADMIN, actor=admin, action="admins.login", now=t.clock.now())
    seqs = await t.db.owner.fetch("SELECT chain, seq FROM platform_audit_log ORDER BY chain, seq")
    assert [(r["chain"], r["seq"]) for r in seqs] == [("account", 1), ("account", 2), ("admin", 1)]
    assert await _verify(t) == (3, 4, [])


async def test_the_product_roles_cannot_write_the_admin_chain(t: T) -> None:
    admin = audit.Actor(admin_id="adm_" + "0" * 26)
    for transaction in (t.db.app_transaction, t.db.outbox_transaction):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="administrators' audit chain"):
            async with transaction() as conn:
                await audit.record(conn, chain=audit.ADMIN, actor=admin, action="admins.login", now=t.clock.now())
    with pytest.raises(asyncpg.InvalidParameterValueError, match="unknown audit chain"):
        async with t.db.app_transaction() as conn:
            await audit.record(conn, chain="usr_x", actor=admin, action="admins.login", now=t.clock.now())
    assert await t.db.owner.fetchval("SELECT count(*) FROM platform_audit_log") == 0


async def test_the_request_role_may_insert_and_read_never_update_delete_or_truncate(t: T) -> None:
    org_id, user_id = await _world(t)
    await _record(t, org_id, user_id)
    async with t.db.tenant(user_id=user_id) as conn:
        await audit.record(
            conn, chain=audit.ACCOUNT, actor=audit.Actor(user_id=user_id), action="auth.login", now=t.clock.now()
        )
    for table in ("audit_log", "platform_audit_log"):
        for statement in (
            f"UPDATE {table} SET action = 'forged'",
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with t.db.tenant(user_id=user_id, org_id=org_id) as conn:
                    await conn.execute(statement)
    for statement in (
        "SELECT * FROM audit_heads",
        "UPDATE audit_heads SET seq = 1",
        "DELETE FROM platform_audit_heads",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with t.db.tenant(user_id=user_id, org_id=org_id) as conn:
                await conn.execute(statement)
    privileges = await t.db.owner.fetch(
        "SELECT table_name, privilege_type FROM information_schema.role_table_grants"
        " WHERE grantee = 'blossom_app' AND table_name LIKE '%audit%' ORDER BY 1, 2"
    )
    assert [(p["table_name"], p["privilege_type"]) for p in privileges] == [
        ("audit_log", "SELECT"),
        ("platform_audit_log", "SELECT"),
    ]  # fmt: skip  (rows are inserted only through app_audit_record)
    assert await _verify(t) == (2, 2, [])


async def test_a_chain_is_written_and_read_only_in_its_own_organization(t: T) -> None:
    a_org, a_user = await _world(t)
    b_org, b_user = await _world(t)
    await _record(t, b_org, b_user, target="secret of B")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="that organization's context"):
        async with t.db.tenant(user_id=a_user, org_id=a_org) as conn:
            await audit.record(
                conn, chain=b_org, actor=audit.Actor(user_id=a_user), action="orgs.rename", now=t.clock.now()
            )
    with pytest.raises(asyncpg.InsufficientPrivilegeError):  # a hand-written INSERT: RLS refuses it
        async with t.db.tenant(user_id=a_user, org_id=a_org) as conn:
            await conn.execute(
                "INSERT INTO audit_log (org_id, seq, at, action, prev_hash, hash) VALUES ($1, 9, now(), 'x', $2, $2)",
                b_org, GENESIS,
            )  # fmt: skip
    async with t.db.tenant(user_id=a_user, org_id=a_org) as conn:
        assert await conn.fetch("SELECT * FROM audit_log") == []
    async with t.db.tenant(user_id=b_user, org_id=b_org) as conn:
        assert [r["target"] for r in await conn.fetch("SELECT target FROM audit_log")] == ["secret of B"]


async def test_a_user_reads_only_their_own_account_events(t: T) -> None:
    me, other = await t.factory.user(), await t.factory.user()
    for user in (me, other):
        async with t.db.tenant(user_id=user.id) as conn:
            await audit.record(
                conn, chain=audit.ACCOUNT, actor=audit.Actor(user_id=user.id), action="auth.login", now=t.clock.now()
            )
    async with t.db.tenant(user_id=me.id) as conn:
        assert [r["actor_user_id"] for r in await conn.fetch("SELECT * FROM platform_audit_log")] == [me.id]


async def test_a_rolled_back_transaction_leaves_no_row_and_the_head_unmoved(t: T) -> None:
    org_id, user_id = await _world(t)
    await _record(t, org_id, user_id)
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with t.db.tenant(user_id=user_id, org_id=org_id) as conn:
            await conn.execute("UPDATE orgs SET name = 'Renamed' WHERE id = $1", org_id)
            await audit.record(
                conn, chain=org_id, actor=audit.Actor(user_id=user_id), action="orgs.rename", now=t.clock.now()
            )
            raise RuntimeError("changed my mind")
    assert await t.db.owner.fetchval("SELECT count(*) FROM audit_log") == 1
    assert await t.db.owner.fetchval("SELECT seq FROM audit_heads") == 1
    await _record(t, org_id, user_id)  # the chain goes on from where it was
    assert await _verify(t) == (1, 2, [])


async def _tampered(t: T, *statements: str) -> list[str]:
    org_id, user_id = await _world(t)
    for n in range(5):
        await _record(t, org_id, user_id, target=f"t{n}", after={"n": n})
    assert (await _verify(t))[2] == []
    for statement in statements:
        await t.db.owner.execute(statement)
    _, _, breaks = await _verify(t)
    return [f"seq {b.seq}: {b.problem}" for b in breaks]


async def test_verify_reports_an_edited_row(t: T) -> None:
    assert await _tampered(t, "UPDATE audit_log SET target = 'innocent' WHERE seq = 3") == [
        "seq 3: edited: the hash does not match the row's fields"
    ]


async def test_verify_reports_an_edited_summary_even_with_its_hash_recomputed_badly(t: T) -> None:
    # Rewriting a row and its hash (the SQL function is public knowledge) breaks the next link.
    statement = (
        "UPDATE audit_log SET after = '{\"n\": 99}', hash = app_audit_hash(prev_hash, org_id, seq, id, at,"
        " actor_user_id, actor_admin_id, acting_as_user_id, action, target, reason, request_id, client_address,"
        " before, '{\"n\": 99}') WHERE seq = 2"
    )
    assert await _tampered(t, statement) == ["seq 3: prev_hash is not the previous row's hash"]


async def test_verify_reports_a_row_deleted_in_the_middle(t: T) -> None:
    assert await _tampered(t, "DELETE FROM audit_log WHERE seq = 2") == [
        "seq 2: row missing: the chain goes from seq 1 to 3"
    ]


async def test_verify_reports_the_last_row_deleted(t: T) -> None:
    assert await _tampered(t, "DELETE FROM audit_log WHERE seq = 5") == [
        "seq 5: row missing: the head names seq 5, the last row is 4"
    ]


async def test_verify_reports_the_last_rows_deleted_and_the_head_moved_back(t: T) -> None:
    # The owner moves the head back too: the head's hash still is not the last row's.
    assert await _tampered(t, "DELETE FROM audit_log WHERE seq = 5", "UPDATE audit_heads SET seq = 4") == [
        "seq 4: the head does not match the chain's last row"
    ]


async def test_verify_reports_reordered_rows(t: T) -> None:
    swap = ("UPDATE audit_log SET seq = 1000 WHERE seq = 2", "UPDATE audit_log SET seq = 2 WHERE seq = 3",
            "UPDATE audit_log SET seq = 3 WHERE seq = 1000")  # fmt: skip
    assert await _tampered(t, *swap) == ["seq 2: prev_hash is not the previous row's hash"]


async def test_verify_reports_a_whole_chain_deleted(t: T) -> None:
    assert await _tampered(t, "DELETE FROM audit_log") == [
        "seq 1: row missing: the head names seq 5, the last row is 0"
    ]


async def test_parallel_writers_of_one_chain_keep_it_linear_and_other_chains_never_wait(t: T) -> None:
    a_org, a_user = await _world(t)
    b_org, b_user = await _world(t)
    pool = await create_app_pool(t.db.target.app, min_size=0, max_size=12)
    try:

        async def write(org_id: str, user_id: str, n: int) -> None:
            async with tenant_transaction(pool, user_id=user_id, org_id=org_id) as conn:
                await conn.execute("UPDATE orgs SET name = $2 WHERE id = $1", org_id, f"name {n}")
                await audit.record(
                    conn, chain=org_id, actor=audit.Actor(user_id=user_id), action="orgs.rename",
                    after={"name": f"name {n}"}, now=t.clock.now(),
                )  # fmt: skip

        # 36 writers race for A's chain from its very first row (no head yet), 12 for B's.
        await asyncio.gather(
            *(write(a_org, a_user, n) for n in range(36)), *(write(b_org, b_user, n) for n in range(12))
        )

        # While a writer of A holds A's chain open, B's writer goes through at once.
        async with t.db.tenant(user_id=a_user, org_id=a_org) as held:
            await audit.record(
                held, chain=a_org, actor=audit.Actor(user_id=a_user), action="orgs.rename", now=t.clock.now()
            )
            await asyncio.wait_for(write(b_org, b_user, 99), timeout=10)
            blocked = asyncio.create_task(write(a_org, a_user, 99))
            await asyncio.sleep(0.3)
            assert not blocked.done()  # A's next writer waits for the holder's commit
        await asyncio.wait_for(blocked, timeout=10)
    finally:
        await pool.close()
    seqs = await t.db.owner.fetch("SELECT org_id, array_agg(seq ORDER BY seq) AS s FROM audit_log GROUP BY org_id")
    by_org = {r["org_id"]: r["s"] for r in seqs}
    assert by_org == {a_org: list(range(1, 39)), b_org: list(range(1, 14))}
    assert await _verify(t) == (2, 51, [])


async def test_the_request_role_cannot_insert_rows_around_the_chain_function(t: T) -> None:
    """Review finding: a hand-written row at the next position forged a link (or another user's
    account event) and made every later write of the chain fail on (org_id, seq)."""
    org_id, user_id = await _world(t)
    victim = (await t.factory.user()).id
    await _record(t, org_id, user_id)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with t.db.tenant(user_id=user_id, org_id=org_id) as conn:
            await conn.execute(
                "INSERT INTO audit_log (org_id, seq, at, action, prev_hash, hash) VALUES ($1, 2, now(), 'x', $2, $2)",
                org_id, GENESIS,
            )  # fmt: skip
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with t.db.tenant(user_id=user_id) as conn:
            await conn.execute(
                "INSERT INTO platform_audit_log (chain, seq, at, actor_user_id, action, prev_hash, hash)"
                " VALUES ('account', 1, now(), $1, 'auth.password.changed', $2, $2)",
                victim, GENESIS,
            )  # fmt: skip
    await _record(t, org_id, user_id)  # the chain still takes its next event
    assert (await _verify(t))[2] == []
