"""A trivial public route (decode, validate, encode) against a bare ASGI app returning the same
bytes: same Granian server, one worker, loaded by autocannon on loopback, one after the other
in the same run. Figures: requests/s and latency percentiles.

Then JSON-RPC on the same server: the route as one call to /jsonrpc against /rpc/demo.ping, and a
batch of 50 calls against 50 single requests (calls/s), rounds alternating so that load from
elsewhere falls on both; each figure is the median of autocannon's per-second samples."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from database.testing.harness import create_worker_database
from foundation.logging import configure_logging
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json, granian
from tools.bench.stats import heading, row

DURATION_SECONDS = 8
CONNECTIONS = 32
BODY = json.dumps({"message": "hi"})
AUTOCANNON = REPO_ROOT / "frontend" / "node_modules" / ".bin" / "autocannon"


def _ensure_autocannon() -> bool:
    if AUTOCANNON.exists():
        return True
    npm = shutil.which("npm")
    if npm is None:
        print("  skipped: the RPC benchmark needs Node.js and npm (autocannon)")
        return False
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=REPO_ROOT / "frontend", check=True, capture_output=True)
    return True


def _autocannon(url: str, seconds: int, body: str = BODY) -> dict:
    arguments = ["-j", "-c", str(CONNECTIONS), "-d", str(seconds), "-m", "POST"]
    arguments += ["-H", "content-type=application/json", "-b", body, url]
    result = subprocess.run([str(AUTOCANNON), *arguments], capture_output=True, check=True, text=True)
    report = json.loads(result.stdout)
    if report["non2xx"] or report["errors"]:
        raise RuntimeError(f"{url}: {report['non2xx']} non-2xx answers, {report['errors']} errors")
    return report


def _measure(target: str, path: str, env: dict[str, str], log: Path) -> dict:
    port = free_port()
    with granian(target, port, env, cwd=REPO_ROOT, log=log):
        get_json(f"http://127.0.0.1:{port}/health")  # both apps answer it (the bare one answers anything)
        _autocannon(f"http://127.0.0.1:{port}{path}", 1)  # warm-up
        return _autocannon(f"http://127.0.0.1:{port}{path}", DURATION_SECONDS)


BATCH = 50
JSONRPC_ONE = json.dumps({"jsonrpc": "2.0", "method": "demo.ping", "params": {"message": "hi"}, "id": 1})
JSONRPC_BATCH = json.dumps(
    [{"jsonrpc": "2.0", "method": "demo.ping", "params": {"message": "hi"}, "id": n} for n in range(BATCH)]
)
ROUNDS = 4
ROUND_SECONDS = 5


def _jsonrpc(env: dict[str, str], log: Path) -> dict[str, list[float]]:
    """Per-second requests of each load, over ROUNDS alternating rounds on one server."""
    loads = {
        "rpc": ("/rpc/demo.ping", BODY),
        "jsonrpc": ("/jsonrpc", JSONRPC_ONE),
        "batch": ("/jsonrpc", JSONRPC_BATCH),
    }
    samples: dict[str, list[float]] = {name: [] for name in loads}
    port = free_port()
    with granian("product.asgi:app", port, env, cwd=REPO_ROOT, log=log):
        get_json(f"http://127.0.0.1:{port}/health")
        for path, body in loads.values():
            _autocannon(f"http://127.0.0.1:{port}{path}", 1, body)  # warm-up
        for round_ in range(ROUNDS):
            order = list(loads.items())
            for name, (path, body) in order if round_ % 2 == 0 else reversed(order):  # ABC, CBA, ...
                report = _autocannon(f"http://127.0.0.1:{port}{path}", ROUND_SECONDS, body)
                samples[name].append(report["requests"]["p50"])
    return samples


def _in_process() -> dict[str, float]:
    """The dispatcher's own cost per request, without a server or sockets: the best of 400 runs of
    50 requests each, /rpc/ and /jsonrpc interleaved (the best run is the one least disturbed)."""
    from foundation.rpc.dispatch import RpcApp  # (the server rows need none of it)
    from product.demo.routes import router

    configure_logging("json", "WARNING")  # the access line is measured by the rows above
    app = RpcApp(router, None)

    def load(path: str, body: str) -> tuple[dict, Any, Any]:
        scope = {
            "type": "http",
            "method": "POST",
            "path": path,
            "headers": [(b"content-type", b"application/json"), (b"host", b"bench")],
            "client": ("127.0.0.1", 1),
            "scheme": "http",
        }
        message = {"type": "http.request", "body": body.encode(), "more_body": False}

        async def receive() -> dict:
            return message

        async def send(message: dict) -> None:
            pass

        return scope, receive, send

    loads = {
        "rpc": load("/rpc/demo.ping", BODY),
        "jsonrpc": load("/jsonrpc", JSONRPC_ONE),
        "batch": load("/jsonrpc", JSONRPC_BATCH),
    }

    async def measure() -> dict[str, float]:
        best = dict.fromkeys(loads, float("inf"))
        for _ in range(400):
            for name, args in loads.items():
                n = 2 if name == "batch" else 50
                started = time.perf_counter()
                for _ in range(n):
                    await app(*args)
                best[name] = min(best[name], (time.perf_counter() - started) / n * 1e6)
        return best

    return asyncio.run(measure())


def run_all() -> None:
    heading(f"RPC route vs bare ASGI (Granian, 1 worker; autocannon -c {CONNECTIONS}, {DURATION_SECONDS} s each)")
    if not _ensure_autocannon():
        return
    worker = create_worker_database("bench_rpc")
    try:
        env = {
            **os.environ,
            # development: demo.ping is not served in production; the RPC path and the JSON access
            # log are the same
            "BLOSSOM_ENV": "development",
            "LOG_FORMAT": "json",
            "DATABASE_URL": worker.target.admin.render(),
            "APP_DATABASE_URL": worker.target.app.render(),
        }
        with tempfile.TemporaryDirectory() as scratch:
            log = Path(scratch) / "server.log"
            bare = _measure("tools.bench.bare_asgi:app", "/", env, log)
            route = _measure("product.asgi:app", "/rpc/demo.ping", env, log)
            quiet = _measure("product.asgi:app", "/rpc/demo.ping", {**env, "LOG_LEVEL": "WARNING"}, log)
            jsonrpc = _jsonrpc(env, log)
    finally:
        worker.drop()
    row("", "requests/s", "p50", "p99")
    for name, report in (
        ("bare ASGI, same bytes", bare),
        ("demo.ping route (access log on)", route),
        ("demo.ping route (access log off)", quiet),
    ):
        latency = report["latency"]
        row(name, f"{report['requests']['average']:,.0f}", f"{latency['p50']} ms", f"{latency['p99']} ms")
    for name, report in (("route / bare (log on)", route), ("route / bare (log off)", quiet)):
        row(name, f"{report['requests']['average'] / bare['requests']['average'] * 100:.0f} %", "", "")

    heading(
        f"JSON-RPC vs /rpc/ (demo.ping, same server, access log on; {ROUNDS} alternating rounds of "
        f"{ROUND_SECONDS} s, medians of per-second samples)"
    )
    rpc, one, batch = (statistics.median(jsonrpc[name]) for name in ("rpc", "jsonrpc", "batch"))
    row("", "requests/s", "calls/s", "50 calls take")
    row("/rpc/demo.ping, one call a request", f"{rpc:,.0f}", f"{rpc:,.0f}", f"{BATCH / rpc * 1000:.1f} ms")
    row("/jsonrpc, one call a request", f"{one:,.0f}", f"{one:,.0f}", f"{BATCH / one * 1000:.1f} ms")
    row(f"/jsonrpc, a batch of {BATCH}", f"{batch:,.0f}", f"{batch * BATCH:,.0f}", f"{1000 / batch:.1f} ms")
    row("jsonrpc / rpc (one call)", f"{one / rpc * 100:.0f} %", "", "")
    row(f"batch of {BATCH} / {BATCH} single requests", "", f"{batch * BATCH / rpc:.1f} x", "")
    costs = _in_process()
    row("in process, per request (best of 400 runs)", "", "", "")
    row("  /rpc/demo.ping", f"{costs['rpc']:.1f} us", "", "")
    row("  /jsonrpc, one call", f"{costs['jsonrpc']:.1f} us", f"+{costs['jsonrpc'] - costs['rpc']:.1f} us", "")
    row(f"  /jsonrpc, a batch of {BATCH}", f"{costs['batch']:.1f} us", f"{costs['batch'] / BATCH:.1f} us a call", "")
