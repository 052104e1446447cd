"""A trivial public route (decode, validate, encode) against a bare ASGI app returning the same
bytes: same Granian server, one worker, loaded by autocannon on loopback, one after the other
in the same run. Figures: requests/s and latency percentiles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from database.testing.harness import create_worker_database
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


def _autocannon(url: str, seconds: int) -> dict:
    arguments = ["-j", "-c", str(CONNECTIONS), "-d", str(seconds), "-m", "POST"]
    arguments += ["-H", "content-type=application/json", "-b", BODY, url]
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
