"""Product figures, side by side in one run on one Granian worker:

- an organization route reading one row through RLS (session cookie lookup, tenant context,
  generated query) against a plain asyncpg loop doing the same lookup and read in one
  transaction, at the same concurrency;
- login latency (dominated by 600,000 PBKDF2 iterations);
- p99 of a cheap route while logins run, against the same route alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import uvloop

from database.connect import create_pool
from database.target import DatabaseTarget
from database.testing.harness import create_worker_database
from foundation.crypto import new_token, token_digest
from foundation.passwords import PasswordHasher
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json, granian
from product.accounts import queries as account_queries
from product.orgs import queries as org_queries
from tools.bench.rpc import AUTOCANNON, _ensure_autocannon
from tools.bench.stats import heading, ms, percentile, row

DURATION_SECONDS = 8
CONNECTIONS = 32
# Both sides get the same pool: the default (10, fewer connections than clients) and one
# connection per concurrent client (32).
POOL_SIZES = (10, 32)
LOGINS = 10
PASSWORD = "violet tractor sings"  # noqa: S105 (benchmark data)


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
            token = new_token()
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


async def _plain_loop(target: DatabaseTarget, token: str, pool_size: int) -> float:
    """The same work without the framework: session lookup and the read, one transaction each."""
    pool = await create_pool(target.app, min_size=pool_size, max_size=pool_size)
    done = 0
    deadline = time.perf_counter() + DURATION_SECONDS
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


def _route_vs_plain(worker_target: DatabaseTarget, token: str, pool_size: int) -> tuple[dict, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cookie = {"cookie": f"blossom_session={token}", "content-type": "application/json"}
    with (
        tempfile.TemporaryDirectory() as scratch,
        granian(
            "product.asgi:app",
            port,
            _environment(worker_target, pool_size),
            cwd=REPO_ROOT,
            log=Path(scratch) / "server.log",
        ),
    ):
        get_json(f"{base}/health")
        _autocannon(f"{base}/rpc/demo.note_count", connections=CONNECTIONS, seconds=1, headers=cookie)
        route = _autocannon(
            f"{base}/rpc/demo.note_count", connections=CONNECTIONS, seconds=DURATION_SECONDS, headers=cookie
        )
    plain = uvloop.run(_plain_loop(worker_target, token, pool_size))  # the same event loop the server runs
    return route, plain


def _logins(worker_target: DatabaseTarget, email: str) -> tuple[list[float], dict, dict, int]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ping = {"content-type": "application/json"}
    hi = json.dumps({"message": "hi"})
    with (
        tempfile.TemporaryDirectory() as scratch,
        granian(
            "product.asgi:app", port, _environment(worker_target, 10), cwd=REPO_ROOT, log=Path(scratch) / "server.log"
        ),
    ):
        get_json(f"{base}/health")
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


def run_all() -> None:
    heading(f"Product: organization route through RLS vs a plain asyncpg loop (c={CONNECTIONS}, {DURATION_SECONDS} s)")
    if not _ensure_autocannon():
        return
    worker = create_worker_database("bench_product")
    try:
        token, _, email = asyncio.run(_seed(worker.target))
        results = {size: _route_vs_plain(worker.target, token, size) for size in POOL_SIZES}
        logins, alone, busy, during = _logins(worker.target, email)
    finally:
        worker.drop()
    row("", "requests/s", "p50", "p99")
    for size, (route, plain) in results.items():
        row(
            f"pool {size}: demo.note_count over HTTP",
            f"{route['requests']['average']:,.0f}",
            f"{route['latency']['p50']} ms",
            f"{route['latency']['p99']} ms",
        )
        row(f"pool {size}: plain asyncpg loop, same work", f"{plain:,.0f}", "", "")
        row(f"pool {size}: route / plain loop", f"{route['requests']['average'] / plain * 100:.0f} %", "", "")
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
