"""The organization route as the app scales out, side by side in one run: one Granian worker
straight on PostgreSQL, two workers straight on it, and two workers through PgBouncer in
transaction mode (what the pooler costs), in alternating rounds; medians and ratios. A fourth
side runs two workers straight on PostgreSQL with the pooler setting (no prepared-statement
cache), to tell the setting's cost from the pooler's hop.

`demo.note_count` with a session cookie (session lookup, tenant context, generated query), 32
connections from autocannon, each worker with a pool of 10; PgBouncer holds 10 server
connections for the 20 client ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path

from database.testing import pgbouncer
from database.testing.harness import create_worker_database
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json, granian
from tools.bench.product import _autocannon, _environment, _seed
from tools.bench.rpc import _ensure_autocannon
from tools.bench.stats import heading, row

ROUNDS = 5
ROUND_SECONDS = 3
CONNECTIONS = 32
POOL_SIZE = 10


@contextlib.contextmanager
def _server(env: dict[str, str], workers: int) -> Iterator[str]:
    port = free_port()
    with (
        tempfile.TemporaryDirectory() as scratch,
        granian("product.asgi:app", port, env, cwd=REPO_ROOT, log=Path(scratch) / "log", workers=workers),
    ):
        get_json(f"http://127.0.0.1:{port}/health")
        yield f"http://127.0.0.1:{port}"


def run_all() -> None:
    heading("Scale-out: demo.note_count on 1 worker, 2 workers, and 2 workers through PgBouncer (transaction mode)")
    if not _ensure_autocannon():
        return
    if pgbouncer.executable() is None:
        print(f"  skipped: {pgbouncer.SKIP_REASON}")
        return
    worker = create_worker_database("bench_scaleout")
    try:
        token, _, _ = asyncio.run(_seed(worker.target))
        cookie = {"cookie": f"blossom_session={token}", "content-type": "application/json"}
        direct = _environment(worker.target, POOL_SIZE)
        rates: dict[str, list[float]] = {
            "1 worker": [],
            "2 workers": [],
            "2 workers, no statement cache": [],  # the pooler setting alone, without the pooler
            "2 workers, PgBouncer": [],
        }
        with pgbouncer.pgbouncer(worker.target.app, pool_size=POOL_SIZE) as pooled_url:
            pooled = {**direct, "APP_DATABASE_URL": pooled_url.render(), "DATABASE_POOLER": "transaction"}
            uncached = {**direct, "DATABASE_POOLER": "transaction"}
            with (
                _server(direct, 1) as one,
                _server(direct, 2) as two,
                _server(uncached, 2) as two_uncached,
                _server(pooled, 2) as two_pooled,
            ):
                sides = dict(zip(rates, (one, two, two_uncached, two_pooled), strict=True))
                for base in sides.values():  # warm up: statement caches, pools
                    _autocannon(f"{base}/rpc/demo.note_count", connections=CONNECTIONS, seconds=1, headers=cookie)
                for _ in range(ROUNDS):
                    for side, base in sides.items():
                        report = _autocannon(
                            f"{base}/rpc/demo.note_count",
                            connections=CONNECTIONS,
                            seconds=ROUND_SECONDS,
                            headers=cookie,
                        )
                        rates[side].append(report["requests"]["average"])
    finally:
        worker.drop()
    row(f"c={CONNECTIONS}, pool {POOL_SIZE} per worker", "requests/s", "vs 1 worker")
    base_rate = statistics.median(rates["1 worker"])
    for side, samples in rates.items():
        rate = statistics.median(samples)
        row(side, f"{rate:,.0f}", f"{rate / base_rate * 100:.0f} %")
    pooled_ratio = [p / d * 100 for p, d in zip(rates["2 workers, PgBouncer"], rates["2 workers"], strict=True)]
    print(
        f"  PgBouncer / direct (2 workers): {statistics.median(pooled_ratio):.0f} %"
        f"  (rounds: {', '.join(f'{r:.0f}' for r in pooled_ratio)})",
        flush=True,
    )
