"""The request lifecycle before and after the hardening (issue 9), side by side in one run.

The baseline is a commit (BASELINE_REF, the last one before that work), checked out in a git
worktree under .blossom/ and served from there by the same Python and Granian, against the same
database, beside the working tree's server:

- the organization route `demo.note_count` (session cookie, tenant context, generated query),
  c=32 with a pool of 10, in alternating rounds; medians and per-round ratios;
- three times the pool size in parallel (c=30, pool 10) on `invites.accept` with a valid
  session and a random invitation code, the call that froze the baseline (each request held its
  connection and waited for a second): answers by status, errors and p99, and `/health` while it
  runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from database.testing.harness import create_worker_database
from foundation.crypto import new_token
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json, granian
from tools.bench.product import _environment, _seed
from tools.bench.rpc import AUTOCANNON, _ensure_autocannon
from tools.bench.stats import heading, row

BASELINE_REF = "e3354f8"  # the last commit before the hardening issue's work
ROUNDS = 5
ROUND_SECONDS = 3
CONNECTIONS = 32
POOL_SIZE = 10
PARALLEL = 3 * POOL_SIZE
HAMMER_SECONDS = 5


def baseline_tree(ref: str) -> Path:
    """A worktree at `ref` (made once, kept under the git-ignored .blossom/), to serve a baseline from."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", f"{ref}^{{commit}}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tree = REPO_ROOT / ".blossom" / f"bench-baseline-{commit}"
    if not (tree / "product").exists():
        subprocess.run(["git", "worktree", "prune"], cwd=REPO_ROOT, check=True, capture_output=True)
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), commit], cwd=REPO_ROOT, check=True, capture_output=True
        )
    return tree


@contextlib.contextmanager
def _server(code: Path, env: dict[str, str]) -> Iterator[str]:
    """product.asgi:app from the code in `code` (the working tree or the baseline's)."""
    port = free_port()
    with (
        tempfile.TemporaryDirectory() as scratch,
        granian("product.asgi:app", port, {**env, "PYTHONPATH": str(code)}, cwd=code, log=Path(scratch) / "log"),
    ):
        get_json(f"http://127.0.0.1:{port}/health")
        yield f"http://127.0.0.1:{port}"


def _autocannon(url: str, *, connections: int, seconds: int, headers: dict[str, str], body: str = "{}") -> dict:
    arguments = ["-j", "-c", str(connections), "-d", str(seconds), "-m", "POST", "-b", body, "-t", "15"]
    for name, value in headers.items():
        arguments += ["-H", f"{name}={value}"]
    result = subprocess.run([str(AUTOCANNON), *arguments, url], capture_output=True, check=True, text=True)
    return json.loads(result.stdout)


def _health_during(base: str, stop: threading.Event, statuses: list[int]) -> None:
    while not stop.is_set():
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=5) as response:  # noqa: S310 (loopback)
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
        except OSError:
            statuses.append(0)  # no answer within 5 s
        stop.wait(0.2)


def _hammer(base: str, cookie: dict[str, str]) -> tuple[dict, list[int]]:
    stop = threading.Event()
    health: list[int] = []
    watcher = threading.Thread(target=_health_during, args=(base, stop, health))
    watcher.start()
    try:
        body = json.dumps({"token": new_token()})
        report = _autocannon(
            f"{base}/rpc/invites.accept", connections=PARALLEL, seconds=HAMMER_SECONDS, headers=cookie, body=body
        )
    finally:
        stop.set()
        watcher.join()
    return report, health


def _codes(report: dict) -> str:
    stats = report.get("statusCodeStats", {})
    return ", ".join(f"{code}: {value['count']}" for code, value in sorted(stats.items())) or "none"


def run_all() -> None:
    heading(f"Request lifecycle: {BASELINE_REF} (before issue 9) vs this tree, one Granian worker each, same database")
    if not _ensure_autocannon():
        return
    baseline = baseline_tree(BASELINE_REF)
    worker = create_worker_database("bench_lifecycle")
    try:
        token, _, _ = asyncio.run(_seed(worker.target))
        cookie = {"cookie": f"blossom_session={token}", "content-type": "application/json"}
        env = _environment(worker.target, POOL_SIZE)
        rates: dict[str, list[float]] = {"before": [], "after": []}
        p99: dict[str, list[float]] = {"before": [], "after": []}
        with _server(baseline, env) as before, _server(REPO_ROOT, env) as after:
            sides = {"before": before, "after": after}
            for base in sides.values():  # warm up
                _autocannon(f"{base}/rpc/demo.note_count", connections=CONNECTIONS, seconds=1, headers=cookie)
            for _ in range(ROUNDS):
                for side, base in sides.items():
                    report = _autocannon(
                        f"{base}/rpc/demo.note_count", connections=CONNECTIONS, seconds=ROUND_SECONDS, headers=cookie
                    )
                    rates[side].append(report["requests"]["average"])
                    p99[side].append(report["latency"]["p99"])
            hammered = {side: _hammer(base, cookie) for side, base in (("after", after), ("before", before))}
    finally:
        worker.drop()
    row(f"demo.note_count, c={CONNECTIONS}, pool {POOL_SIZE}", "requests/s", "p99")
    for side in ("before", "after"):
        row(side, f"{statistics.median(rates[side]):,.0f}", f"{statistics.median(p99[side]):.0f} ms")
    ratios = [a / b * 100 for a, b in zip(rates["after"], rates["before"], strict=True)]
    print(
        f"  after / before: {statistics.median(ratios):.0f} %  (rounds: {', '.join(f'{r:.0f}' for r in ratios)})",
        flush=True,
    )
    row(f"invites.accept x{PARALLEL} in parallel, pool {POOL_SIZE}, {HAMMER_SECONDS} s", "answers", "p99", "errors")
    for side in ("before", "after"):
        report, health = hammered[side]
        row(side, f"{report['requests']['total']:,}", f"{report['latency']['p99']:,.0f} ms", str(report["errors"]))
        print(f"    statuses: {_codes(report)}; /health answered {sorted(set(health))}", flush=True)
