"""Ground-floor figures: embedded PostgreSQL start-up, per-test isolation overhead, and the cost
of a tenant-context transaction over a plain one (round trips and time, side by side)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from database import embedded
from database.connect import create_pool
from database.testing.harness import create_worker_database
from database.tx import tenant_transaction, transaction
from foundation.ids import new_id
from foundation.settings import REPO_ROOT
from tools.bench.roundtrips import RoundTripCountingProxy
from tools.bench.stats import heading, median, ms, percentile, row, us

COLD_RUNS = 3
WARM_RUNS = 5
ISOLATION_TESTS = 200
TRANSACTIONS = 2000


def bench_embedded_start() -> None:
    heading("Embedded PostgreSQL start (Unix socket, data in a folder)")
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(COLD_RUNS):
        with tempfile.TemporaryDirectory(prefix="blossom-bench-") as scratch:
            data_dir = Path(scratch) / "pg"
            started = time.perf_counter()
            embedded.ensure_running(data_dir)
            cold.append(time.perf_counter() - started)
            for _ in range(WARM_RUNS):
                embedded.stop(data_dir)
                started = time.perf_counter()
                embedded.ensure_running(data_dir)
                warm.append(time.perf_counter() - started)
            embedded.stop(data_dir)
    row("", "median", "max", "runs")
    row("cold start (initdb + start)", ms(median(cold)), ms(max(cold)), str(len(cold)))
    row("warm start (existing data folder)", ms(median(warm)), ms(max(warm)), str(len(warm)))


_ISOLATION_MODULE = """
async def test_empty_database_{n}(t):
    pass


def test_empty_plain_{n}():
    pass
"""

_DURATION_PLUGIN = """
import json, os

_durations = {}

def pytest_runtest_logreport(report):
    _durations.setdefault(report.nodeid, 0.0)
    _durations[report.nodeid] += report.duration

def pytest_sessionfinish(session):
    with open(os.environ["BLOSSOM_BENCH_DURATIONS"], "w") as handle:
        json.dump(_durations, handle)
"""


def bench_isolation() -> None:
    """Runs ISOLATION_TESTS empty tests that take `t` and as many that take nothing, interleaved,
    in one pytest process; the difference of their setup+call+teardown is the isolation cost."""
    import json

    heading(f"Per-test isolation overhead ({ISOLATION_TESTS} empty database tests, one pytest process)")
    scratch = REPO_ROOT / ".blossom" / "bench"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as directory:
        folder = Path(directory)
        (folder / "isolation_bench_test.py").write_text(
            "".join(_ISOLATION_MODULE.format(n=n) for n in range(ISOLATION_TESTS))
        )
        (folder / "bench_durations.py").write_text(_DURATION_PLUGIN)
        output = folder / "durations.json"
        env = {**os.environ, "BLOSSOM_BENCH_DURATIONS": str(output), "PYTHONPATH": str(folder)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "bench_durations",
                "-p",
                "no:xdist",
                "--rootdir",
                str(REPO_ROOT),
                "-c",
                str(REPO_ROOT / "pyproject.toml"),
                str(folder / "isolation_bench_test.py"),
            ],
            cwd=REPO_ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        durations: dict[str, float] = json.loads(output.read_text())
    database = [d for node, d in durations.items() if "test_empty_database_" in node][1:]  # first pays for setup
    plain = [d for node, d in durations.items() if "test_empty_plain_" in node]
    overhead = [d - median(plain) for d in database]
    row("", "median", "p95")
    row("empty test without a database", ms(median(plain)), ms(percentile(plain, 0.95)))
    row("empty test with `t` (reset + fixture)", ms(median(database)), ms(percentile(database, 0.95)))
    row("isolation overhead per test", ms(median(overhead)), ms(percentile(overhead, 0.95)))


async def _tenant_vs_plain() -> None:
    worker = create_worker_database("bench")
    try:
        target = worker.target
        org_id = new_id("org")
        user_id = new_id("usr")
        async with RoundTripCountingProxy(target.app) as proxy:
            pool = await create_pool(proxy.url, min_size=1, max_size=1)
            try:
                counts = {}
                for name, opener in (
                    ("plain", lambda: transaction(pool)),
                    ("tenant", lambda: tenant_transaction(pool, user_id=user_id, org_id=org_id)),
                ):
                    for _ in range(3):  # warm the statement cache
                        async with opener() as conn:
                            await conn.fetchval("SELECT 1")
                    proxy.reset()
                    async with opener() as conn:
                        await conn.fetchval("SELECT 1")
                    counts[name] = proxy.round_trips
            finally:
                await pool.close()

        pool = await create_pool(target.app, min_size=1, max_size=1)
        try:
            timings: dict[str, list[float]] = {"plain": [], "tenant": []}
            for i in range(TRANSACTIONS):
                order = ("plain", "tenant") if i % 2 else ("tenant", "plain")  # interleaved: same noise for both
                for name in order:
                    started = time.perf_counter()
                    if name == "plain":
                        async with transaction(pool) as conn:
                            await conn.fetchval("SELECT 1")
                    else:
                        async with tenant_transaction(pool, user_id=user_id, org_id=org_id) as conn:
                            await conn.fetchval("SELECT 1")
                    timings[name].append(time.perf_counter() - started)
        finally:
            await pool.close()
    finally:
        worker.drop()

    heading(
        f"Tenant-context transaction vs plain transaction (BEGIN; SELECT 1; COMMIT, {TRANSACTIONS} each, interleaved)"
    )
    row("", "round trips", "median", "p95")
    for name in ("plain", "tenant"):
        row(f"{name} transaction", str(counts[name]), us(median(timings[name])), us(percentile(timings[name], 0.95)))
    extra = counts["tenant"] - counts["plain"]
    ratio = median(timings["tenant"]) / median(timings["plain"])
    row("tenant context adds", f"{extra:+d}", f"x{ratio:.2f}", "")


def bench_tenant_transaction() -> None:
    asyncio.run(_tenant_vs_plain())


def run_all() -> None:
    bench_embedded_start()
    bench_isolation()
    bench_tenant_transaction()
