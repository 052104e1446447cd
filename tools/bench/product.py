"""Product figures, side by side in one run on one Granian worker:

- an organization route reading one row through RLS (session cookie lookup, tenant context,
  generated query) against a plain asyncpg loop doing the same lookup and read in one
  transaction, at the same concurrency (32 requests in flight, one connection each; the default
  pool of 10 is shown too); measured in alternating rounds (route, references, plain loop, ...)
  so that the machine's drift hits every side alike, and summarised by medians;
- login latency (dominated by 600,000 PBKDF2 iterations);
- p99 of a cheap route while logins run, against the same route alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import uvloop

from database.connect import create_pool
from database.target import DatabaseTarget
from database.testing.harness import create_worker_database
from foundation.crypto import new_signed_token, token_digest
from foundation.passwords import PasswordHasher
from foundation.settings import REPO_ROOT, load_settings
from foundation.testing.servers import free_port, get_json, granian
from product.accounts import queries as account_queries
from product.orgs import queries as org_queries
from product.services import session_key
from tools.bench.rpc import AUTOCANNON, _ensure_autocannon
from tools.bench.stats import heading, ms, percentile, row

DURATION_SECONDS = 8  # the login section's cheap-route runs
ROUND_SECONDS = 3
ROUNDS = 7
CONNECTIONS = 32
# Every side gets the same pool size. The goal is judged at the same concurrency end to end: 32
# concurrent requests on each side, each with a connection of its own (a plain loop at
# concurrency 32 holds 32 connections). The default pool (10) is shown too: there 22 of the 32
# requests queue for a connection on each side, which measures queueing as much as overhead.
GOAL_POOL_SIZE = CONNECTIONS
DEFAULT_POOL_SIZE = 10
POOL_SIZES = (GOAL_POOL_SIZE, DEFAULT_POOL_SIZE)
LOGINS = 10
PASSWORD = "violet tractor sings"  # noqa: S105 (benchmark data)


def bench_session_token() -> str:
    """A session token the servers (run in development mode) accept: signed with the development key."""
    return new_signed_token(session_key(load_settings({"BLOSSOM_ENV": "development"})))


def _autocannon(url: str, *, connections: int, seconds: int, headers: dict[str, str], body: str = "{}") -> dict:
    arguments = ["-j", "-c", str(connections), "-d", str(seconds), "-m", "POST", "-b", body]
    for name, value in headers.items():
        arguments += ["-H", f"{name}={value}"]
    result = subprocess.run([str(AUTOCANNON), *arguments, url], capture_output=True, check=True, text=True)
    report = json.loads(result.stdout)
    if report["non2xx"] or report["errors"]:
        raise RuntimeError(f"{url}: {report['non2xx']} non-2xx answers, {report['errors']} errors")
    return report


async def _seed(target: DatabaseTarget) -> tuple[str, str, str]:
    """An org with a member whose session token we know; (token, org id, email)."""
    pool = await create_pool(target.owner, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            org = await org_queries.insert_org(conn, id="org_" + "0" * 25 + "1", name="Bench")
            assert org is not None
            email = "bench@example.com"
            await conn.execute(
                "INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, $2, 'Bench', $3)",
                "usr_" + "0" * 25 + "1",
                email,
                PasswordHasher().hash(PASSWORD),
            )
            await org_queries.insert_membership(conn, org_id=org.id, user_id="usr_" + "0" * 25 + "1", role="owner")
            await conn.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, 'one row')", org.id)
            token = bench_session_token()
            now = await conn.fetchval("SELECT now()")
            await account_queries.insert_session(
                conn,
                id="ses_" + "0" * 25 + "1",
                user_id="usr_" + "0" * 25 + "1",
                token_hash=token_digest(token),
                active_org_id=org.id,
                user_agent="",
                now=now,
                expires_at=now + dt.timedelta(days=30),
            )
        return token, org.id, email
    finally:
        await pool.close()


async def _no_reset(conn: asyncpg.Connection) -> None:
    """asyncpg's pool would otherwise spend a round trip per release on `RESET ALL` & co; the
    plain loop keeps no session state either, so it gets the cheapest asyncpg configuration."""


async def _plain_loop(target: DatabaseTarget, token: str, pool_size: int, *, pool_kind: str) -> float:
    """The same work without the framework: session lookup and the read, one transaction each,
    on asyncpg's own pool (`asyncpg`) or on Blossom's (`blossom`)."""
    if pool_kind == "asyncpg":
        pool: Any = await asyncpg.create_pool(
            target.app.render(), min_size=pool_size, max_size=pool_size, reset=_no_reset
        )
    else:
        pool = await create_pool(target.app, min_size=pool_size, max_size=pool_size)
    done = 0
    deadline = time.perf_counter() + ROUND_SECONDS
    token_hash = token_digest(token)

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            async with pool.acquire() as conn, conn.transaction():
                session = await conn.fetchrow("SELECT * FROM app_session_for_token($1)", token_hash)
                assert session is not None
                await conn.execute(
                    "SELECT set_config('app.user_id', $1, true), set_config('app.org_id', $2, true)",
                    session["user_id"],
                    session["active_org_id"],
                )
                await conn.fetchrow("SELECT count(*) AS notes FROM org_notes")
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return done / elapsed


def _login(base: str, email: str) -> float:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}/rpc/auth.login",
        data=json.dumps({"email": email, "password": PASSWORD}).encode(),
        headers={"content-type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        response.read()
    return time.perf_counter() - started


def _environment(worker_target: DatabaseTarget, pool_size: int) -> dict[str, str]:
    # Development mode only for BLOSSOM_DISABLE_RATE_LIMITS (the login loop would hit them).
    return {
        **os.environ,
        "BLOSSOM_ENV": "development",
        "LOG_FORMAT": "json",
        "BLOSSOM_DISABLE_RATE_LIMITS": "1",
        "DATABASE_POOL_SIZE": str(pool_size),
        "DATABASE_URL": worker_target.admin.render(),
        "APP_DATABASE_URL": worker_target.app.render(),
    }


@contextlib.contextmanager
def _server(target: str, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    with (
        tempfile.TemporaryDirectory() as scratch,
        granian(target, port, env, cwd=REPO_ROOT, log=Path(scratch) / "server.log"),
    ):
        get_json(f"http://127.0.0.1:{port}/health")
        yield f"http://127.0.0.1:{port}"


def _requests_per_second(base: str, cookie: dict[str, str]) -> tuple[float, dict]:
    report = _autocannon(f"{base}/rpc/demo.note_count", connections=CONNECTIONS, seconds=ROUND_SECONDS, headers=cookie)
    return report["requests"]["average"], report


def _route_vs_plain(worker_target: DatabaseTarget, token: str, pool_size: int) -> dict[str, list[float]]:
    """Requests/s per side and round. The bare reference app runs only with the default pool
    (with 32 per side, three sides would need nearly all of PostgreSQL's 100 connections)."""
    cookie = {"cookie": f"blossom_session={token}", "content-type": "application/json"}
    env = _environment(worker_target, pool_size)
    sides: dict[str, list[float]] = {"route": [], "bare": [], "asyncpg": [], "blossom": []}
    with contextlib.ExitStack() as stack:
        route = stack.enter_context(_server("product.asgi:app", env))
        bare = None
        if pool_size == DEFAULT_POOL_SIZE:
            bare = stack.enter_context(_server("tools.bench.bare_note_count:app", env))
        for base in filter(None, (route, bare)):  # warm up: statement caches, pools
            _autocannon(f"{base}/rpc/demo.note_count", connections=CONNECTIONS, seconds=1, headers=cookie)
        for _ in range(ROUNDS):
            rate, report = _requests_per_second(route, cookie)
            sides["route"].append(rate)
            sides.setdefault("route_p50", []).append(report["latency"]["p50"])
            sides.setdefault("route_p99", []).append(report["latency"]["p99"])
            if bare is not None:
                sides["bare"].append(_requests_per_second(bare, cookie)[0])
            for kind in ("asyncpg", "blossom"):  # the same event loop the server runs
                sides[kind].append(uvloop.run(_plain_loop(worker_target, token, pool_size, pool_kind=kind)))
    return sides


def _logins(worker_target: DatabaseTarget, email: str) -> tuple[list[float], dict, dict, int]:
    ping = {"content-type": "application/json"}
    hi = json.dumps({"message": "hi"})
    with _server("product.asgi:app", _environment(worker_target, DEFAULT_POOL_SIZE)) as base:
        logins = [_login(base, email) for _ in range(LOGINS)]
        alone = _autocannon(f"{base}/rpc/demo.ping", connections=4, seconds=DURATION_SECONDS, headers=ping, body=hi)
        stop = threading.Event()
        during: list[float] = []

        def keep_logging_in() -> None:
            while not stop.is_set():
                during.append(_login(base, email))

        threads = [threading.Thread(target=keep_logging_in) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            busy = _autocannon(f"{base}/rpc/demo.ping", connections=4, seconds=DURATION_SECONDS, headers=ping, body=hi)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    return logins, alone, busy, len(during)


def _ratio(sides: dict[str, list[float]], side: str, baseline: str) -> str:
    per_round = [a / b * 100 for a, b in zip(sides[side], sides[baseline], strict=True)]
    return f"{statistics.median(per_round):.0f} %  (rounds: {', '.join(f'{r:.0f}' for r in per_round)})"


def _ratio_row(label: str, text: str) -> None:
    print(f"  {label:<58}{text}", flush=True)


def run_all() -> None:
    heading(
        f"Product: organization route through RLS vs a plain asyncpg loop "
        f"(c={CONNECTIONS}; {ROUNDS} alternating rounds of {ROUND_SECONDS} s; medians)"
    )
    if not _ensure_autocannon():
        return
    worker = create_worker_database("bench_product")
    try:
        token, _, email = asyncio.run(_seed(worker.target))
        results = {size: _route_vs_plain(worker.target, token, size) for size in POOL_SIZES}
        logins, alone, busy, during = _logins(worker.target, email)
    finally:
        worker.drop()
    for size, sides in results.items():
        label = "the goal's configuration" if size == GOAL_POOL_SIZE else "the default pool"
        row(f"pool of {size} per side ({label})", "requests/s", "p50", "p99")
        row(
            "demo.note_count over HTTP",
            f"{statistics.median(sides['route']):,.0f}",
            f"{statistics.median(sides['route_p50']):.0f} ms",
            f"{statistics.median(sides['route_p99']):.0f} ms",
        )
        if sides["bare"]:
            row("bare ASGI app, same queries, over HTTP", f"{statistics.median(sides['bare']):,.0f}", "", "")
        row("plain asyncpg loop (asyncpg's pool)", f"{statistics.median(sides['asyncpg']):,.0f}", "", "")
        row("plain asyncpg loop (Blossom's pool)", f"{statistics.median(sides['blossom']):,.0f}", "", "")
        goal = " (the goal, >= 50 %)" if size == GOAL_POOL_SIZE else ""
        _ratio_row(f"route / plain loop on asyncpg's pool{goal}", _ratio(sides, "route", "asyncpg"))
        _ratio_row("route / plain loop on Blossom's pool", _ratio(sides, "route", "blossom"))
        if sides["bare"]:
            _ratio_row("route / bare ASGI app (the framework's share)", _ratio(sides, "route", "bare"))
            _ratio_row("bare ASGI app / plain loop on Blossom's pool (HTTP's)", _ratio(sides, "bare", "blossom"))
    heading("Product: login latency and a cheap route while logins run")
    row("", "median", "p95", "n")
    row("login (600,000 PBKDF2 iterations)", ms(statistics.median(logins)), ms(percentile(logins, 0.95)), str(LOGINS))
    row("", "requests/s", "p50", "p99")
    row(
        "demo.ping alone (c=4)",
        f"{alone['requests']['average']:,.0f}",
        f"{alone['latency']['p50']} ms",
        f"{alone['latency']['p99']} ms",
    )
    row(
        f"demo.ping while 2 clients log in ({during} logins)",
        f"{busy['requests']['average']:,.0f}",
        f"{busy['latency']['p50']} ms",
        f"{busy['latency']['p99']} ms",
    )
