"""Panopticon's user search on 100,000 users, side by side in one run: the `search.users` route
(over ASGI, in process: dispatch, validation, the query as blossom_panopticon, encoding), the
bare generated query on one connection as the same role, and the same query with index scans
switched off for its transaction (the sequential scan the indexes spare), each over the same
prefixes (three to five characters of real emails and names, and id prefixes)."""

from __future__ import annotations

import asyncio
import random
import time

import httpx

from database.connect import connect
from database.testing.harness import create_worker_database
from database.tx import tenant_transaction_on
from foundation.settings import load_settings
from panopticon.app import create_app
from panopticon.search import queries
from tools.bench.stats import heading, median, ms, percentile, row

USERS = 100_000
CALLS = 400  # each side, with the index
SEQ_CALLS = 30  # the sequential scan is slow: fewer calls
PAGE = 25


async def _seed(owner_url: object) -> list[str]:
    owner = await connect(owner_url)  # type: ignore[arg-type]
    try:
        await owner.execute(
            "INSERT INTO users (id, email, display_name, password_hash, created_at)"
            " SELECT app_new_id('usr'), substr(md5(g::text), 1, 10) || '.' || g || '@example.com',"
            " initcap(substr(md5('n' || g), 1, 7)) || ' ' || initcap(substr(md5('s' || g), 1, 9)), 'x', now()"
            f" FROM generate_series(1, {USERS}) g"
        )
        await owner.execute("ANALYZE users")
        sample = await owner.fetch("SELECT id, email, display_name FROM users ORDER BY random() LIMIT 200")
    finally:
        await owner.close()
    rng = random.Random(7)  # noqa: S311 (benchmark prefixes, not secrets)
    prefixes: list[str] = []
    for r in sample:
        kind = rng.randrange(3)
        if kind == 0:
            prefixes.append(r["email"][: rng.randint(3, 5)])
        elif kind == 1:
            prefixes.append(r["display_name"][: rng.randint(3, 5)].upper())
        else:
            prefixes.append(r["id"][: rng.randint(20, 24)])
    return prefixes


async def _bench() -> None:
    worker = create_worker_database("bench_panopticon")
    try:
        heading(f"search.users on {USERS:,} users (prefixes of emails, names and ids; {PAGE} a page)")
        prefixes = await _seed(worker.target.owner)
        conn = await connect(worker.target.panopticon)
        try:
            bare: list[float] = []
            for n in range(CALLS + 20):
                started = time.perf_counter()
                await queries.search_users(conn, query=prefixes[n % len(prefixes)], max_rows=PAGE + 1)
                if n >= 20:
                    bare.append(time.perf_counter() - started)
            seq: list[float] = []
            for n in range(SEQ_CALLS):
                async with tenant_transaction_on(conn, user_id=None, org_id=None):
                    await conn.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
                    started = time.perf_counter()
                    await queries.search_users(conn, query=prefixes[n % len(prefixes)], max_rows=PAGE + 1)
                    seq.append(time.perf_counter() - started)
        finally:
            await conn.close()

        settings = load_settings(
            {
                "DATABASE_URL": worker.target.admin.render(),
                "APP_DATABASE_URL": worker.target.app.render(),
                "BLOSSOM_ENV": "test",
                "LOG_LEVEL": "WARNING",
            }
        )
        app = create_app(settings)
        headers = {"x-test-principal": "admin=adm_" + "0" * 26 + "; role=viewer"}
        route: list[float] = []
        transport = httpx.ASGITransport(app=app)
        async with app.fallback.test_app(), httpx.AsyncClient(transport=transport, base_url="https://p.test") as http:
            for n in range(CALLS + 20):
                started = time.perf_counter()
                response = await http.post(
                    "/rpc/search.users", json={"query": prefixes[n % len(prefixes)]}, headers=headers
                )
                if n >= 20:
                    route.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
        row("", "median", "p99")
        row("search.users route (ASGI, in process)", ms(median(route)), ms(percentile(route, 0.99)))
        row("the query alone (blossom_panopticon)", ms(median(bare)), ms(percentile(bare, 0.99)))
        row("the query, index scans off (seq scan)", ms(median(seq)), ms(percentile(seq, 0.99)))
    finally:
        worker.drop()


def run_all() -> None:
    asyncio.run(_bench())
