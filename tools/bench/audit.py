"""What the audit log costs a mutation: an org rename's transaction with and without its audit
row (one statement more), interleaved on one connection; then writers in parallel, all on one
chain (they take turns on its head until COMMIT) against each on its own organization's chain,
and the account chain every user's sign-in shares."""

from __future__ import annotations

import asyncio
import time

from database import audit
from database.connect import connect
from database.pool import create_app_pool
from database.testing.harness import create_worker_database
from database.tx import tenant_transaction
from foundation.ids import new_id
from foundation.time import system_clock
from tools.bench.stats import heading, median, ms, percentile, row, us

CALLS = 1000
WRITERS = 8
PER_WRITER = 100


async def _bench() -> None:
    worker = create_worker_database("bench_audit")
    try:
        orgs = [new_id("org") for _ in range(WRITERS)]
        user = new_id("usr")
        owner = await connect(worker.target.owner)
        try:
            for n, org in enumerate(orgs):
                await owner.execute("INSERT INTO orgs (id, name) VALUES ($1, $2)", org, f"Bench {n}")
        finally:
            await owner.close()
        pool = await create_app_pool(worker.target.app, max_size=WRITERS)
        try:

            async def rename(org: str, n: int, *, audited: bool, chain: str | None = None) -> None:
                async with tenant_transaction(pool, user_id=user, org_id=org) as conn:
                    await conn.execute("UPDATE orgs SET name = $2 WHERE id = $1", org, f"name {n}")
                    if audited:
                        await audit.record(
                            conn, chain=chain or org, actor=audit.Actor(user_id=user), action="orgs.rename",
                            target=org, before={"name": "old"}, after={"name": f"name {n}"}, now=system_clock.now(),
                        )  # fmt: skip

            plain: list[float] = []
            audited: list[float] = []
            for n in range(CALLS + 50):
                for is_audited in (n % 2 == 0, n % 2 == 1):
                    started = time.perf_counter()
                    await rename(orgs[0], n, audited=is_audited)
                    if n >= 50:
                        (audited if is_audited else plain).append(time.perf_counter() - started)
            heading(f"orgs.rename's transaction, {CALLS} each, one connection")
            row("", "median", "p95")
            row("rename", us(median(plain)), us(percentile(plain, 0.95)))
            row("rename + audit.record", us(median(audited)), us(percentile(audited, 0.95)))
            row("audit row's cost (median)", us(median(audited) - median(plain)), "")

            async def writers(chains: list[str], orgs_of: list[str]) -> float:
                async def one(i: int) -> None:
                    for n in range(PER_WRITER):
                        await rename(orgs_of[i], n, audited=True, chain=chains[i])

                started = time.perf_counter()
                await asyncio.gather(*(one(i) for i in range(WRITERS)))
                return time.perf_counter() - started

            heading(f"{WRITERS} writers in parallel, {PER_WRITER} audited renames each")
            row("", "total", "per second")
            total = WRITERS * PER_WRITER
            for label, chains, orgs_of in (
                ("each its own org's chain", orgs, orgs),
                ("all on one org's chain", [orgs[0]] * WRITERS, [orgs[0]] * WRITERS),
                ("all on the account chain (own orgs)", [audit.ACCOUNT] * WRITERS, orgs),
            ):
                elapsed = await writers(chains, orgs_of)
                row(label, ms(elapsed), f"{total / elapsed:.0f}")
        finally:
            await pool.close()
    finally:
        worker.drop()


def run_all() -> None:
    asyncio.run(_bench())
