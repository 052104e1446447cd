"""The serving worker before and after issue 15's work, side by side in one run (one Granian
worker each, the same Python, Granian and database):

- start: how long `import product.asgi` takes (median of 5 fresh interpreters), and whether it
  imports the migration and provisioning code (yoyo, sqlparse, psycopg); a bare asyncpg app's
  imports as the floor;
- memory: the idle worker's resident set (VmRSS from /proc) once its pool is open, beside a bare
  ASGI app doing the organization route's queries on the same pool;
- a public route called with a session cookie (`demo.ping`, which never reads its caller): the
  worker's CPU per request (utime + stime from /proc, steadier than requests/s on a shared
  machine) and the latency at one request in flight, with and without the cookie; the same for
  the organization route (`demo.note_count`) beside the framework-free app (`bare_note_count.py`);
- the framework's cost under load (autocannon, c=32, alternating rounds, medians): requests/s
  and the worker's CPU µs per request of the trivial route (`demo.ping`) against a bare ASGI app
  writing the same access line (`bare_asgi_logged.py`), and of the organization route
  (`demo.note_count`, session cookie) against a framework-free ASGI app doing the same four
  round trips on the same pool (`bare_note_count.py`); the baseline's routes beside them.

The baseline is BASELINE_REF (the last commit before that work), checked out in a git worktree
under .blossom/ as `just bench lifecycle` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from database.testing.harness import create_worker_database
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json, granian
from tools.bench.lifecycle import baseline_tree
from tools.bench.product import _autocannon, _environment, _seed
from tools.bench.rpc import _ensure_autocannon
from tools.bench.stats import heading, row

BASELINE_REF = "40d63d4"  # the last commit before issue 15's work
IMPORT_RUNS = 5
PING_REQUESTS = 2000
ROUNDS = 3
LOAD_ROUNDS = 7
LOAD_SECONDS = 3
LOAD_CONNECTIONS = 32
_TICKS = os.sysconf("SC_CLK_TCK")
_PING = "/rpc/demo.ping?input=%7B%22message%22%3A%22hi%22%7D"
_NOTE_COUNT = "/rpc/demo.note_count"


def _import_seconds(code: Path, module: str) -> tuple[float, bool, bool]:
    """Median wall time of `import module` in a fresh interpreter; whether migration code came
    along; whether Quart, the OpenAI SDK or rich did."""
    probe = (
        f"import sys, time; t = time.perf_counter(); import {module}; s = time.perf_counter() - t; "
        "print(s, any(n in sys.modules for n in ('yoyo', 'sqlparse', 'psycopg')), "
        "any(sys.modules.get(n) is not None for n in ('quart', 'openai', 'rich')))"
    )
    env = {**os.environ, "BLOSSOM_ENV": "development", "PYTHONPATH": str(code)}
    samples, migration_code, unused = [], False, False
    for _ in range(IMPORT_RUNS):
        out = subprocess.run(
            [sys.executable, "-c", probe], cwd=code, env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        samples.append(float(out[0]))
        migration_code, unused = out[1] == "True", out[2] == "True"
    return statistics.median(samples), migration_code, unused


def _worker_pid(server_pid: int) -> int:
    """Granian's worker: the serving process's child (one worker)."""
    for _ in range(100):
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no Granian worker process")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


@contextlib.contextmanager
def _server(code: Path, target: str, env: dict[str, str]) -> Iterator[tuple[int, int]]:
    """(port, worker pid) of `target` served from the code in `code`."""
    port = free_port()
    with (
        tempfile.TemporaryDirectory() as scratch,
        granian(target, port, {**env, "PYTHONPATH": str(code)}, cwd=code, log=Path(scratch) / "log") as process,
    ):
        get_json(f"http://127.0.0.1:{port}/health")
        yield port, _worker_pid(process.pid)


def _pings(port: int, pid: int, headers: dict[str, str], path: str = _PING) -> tuple[float, float]:
    """(worker CPU µs per request, median latency ms) over PING_REQUESTS sequential requests on
    one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies = []
    try:
        for _ in range(50):  # warm up
            connection.request("GET", path, headers=headers)
            connection.getresponse().read()
        cpu = _cpu_seconds(pid)
        for _ in range(PING_REQUESTS):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
        used = _cpu_seconds(pid) - cpu
    finally:
        connection.close()
    return used / PING_REQUESTS * 1e6, statistics.median(latencies) * 1000


def _loaded(port: int, pid: int, path: str, body: str, headers: dict[str, str]) -> tuple[float, float]:
    """(requests/s, worker CPU µs per request) of one autocannon round."""
    cpu = _cpu_seconds(pid)
    report = _autocannon(
        f"http://127.0.0.1:{port}{path}",
        connections=LOAD_CONNECTIONS,
        seconds=LOAD_SECONDS,
        headers={"content-type": "application/json", **headers},
        body=body,
    )
    used = _cpu_seconds(pid) - cpu
    return report["requests"]["average"], used / max(1, report["requests"]["total"]) * 1e6


def _under_load(
    sides: dict[str, tuple[int, int]], path: dict[str, str], body: str, headers: dict[str, str]
) -> dict[str, list[tuple[float, float]]]:
    """LOAD_ROUNDS alternating rounds (ABC, CBA, ...) over the sides, after a warm-up each."""
    figures: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    for side, (port, _) in sides.items():
        _autocannon(
            f"http://127.0.0.1:{port}{path[side]}",
            connections=LOAD_CONNECTIONS,
            seconds=1,
            headers={"content-type": "application/json", **headers},
            body=body,
        )
    for round_ in range(LOAD_ROUNDS):
        order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
        for side in order:
            figures[side].append(_loaded(*sides[side], path[side], body, headers))
    return figures


def _load_rows(title: str, figures: dict[str, list[tuple[float, float]]], reference: str) -> None:
    print(f"  {title}", flush=True)
    row("", "requests/s", "CPU/request", "vs reference")
    for side, samples in figures.items():
        rates = [rate for rate, _ in samples]
        cpus = [cpu for _, cpu in samples]
        share = ""
        if side != reference:  # per round, then the median: drift hits both sides of a round alike
            rate_ratio = statistics.median(
                a / b * 100 for a, b in zip(rates, (r for r, _ in figures[reference]), strict=True)
            )
            cpu_ratio = statistics.median(
                b / a * 100 for a, b in zip(cpus, (c for _, c in figures[reference]), strict=True)
            )
            share = f"{rate_ratio:.0f} % / {cpu_ratio:.0f} %"
        row(f"  {side}", f"{statistics.median(rates):,.0f}", f"{statistics.median(cpus):.0f} µs", share)
        print(f"      rounds: {', '.join(f'{r:,.0f}/s {c:.0f} µs' for r, c in samples)}", flush=True)
    print("    (vs reference: requests/s ratio / the reference's CPU per request over this side's)", flush=True)


def run_all() -> None:
    heading(f"Serving worker: {BASELINE_REF} (before issue 15) vs this tree, one Granian worker each")
    baseline = baseline_tree(BASELINE_REF)
    trees = {"before": baseline, "after": REPO_ROOT}
    imports = {side: _import_seconds(code, "product.asgi") for side, code in trees.items()}
    floor, _, _ = _import_seconds(REPO_ROOT, "asyncpg, uvloop, msgspec")
    row("", "before", "after", "bare asyncpg")
    row(
        "import product.asgi (median of 5)",
        f"{imports['before'][0]:.2f} s",
        f"{imports['after'][0]:.2f} s",
        f"{floor:.2f} s",
    )
    row("  imports yoyo / sqlparse / psycopg", *(("yes" if imports[s][1] else "no") for s in trees), "no")
    row("  imports quart / openai / rich", *(("yes" if imports[s][2] else "no") for s in trees), "no")

    worker = create_worker_database("bench_serving")
    try:
        token, _, _ = asyncio.run(_seed(worker.target))
        env = _environment(worker.target, 10)
        cookie = {"cookie": f"blossom_session={token}"}
        with (
            _server(baseline, "product.asgi:app", env) as before,
            _server(REPO_ROOT, "product.asgi:app", env) as after,
            _server(REPO_ROOT, "tools.bench.bare_note_count:app", env) as bare,
        ):
            time.sleep(1)  # idle: let start-up garbage settle
            row(
                "idle worker RSS (pool open)",
                f"{_rss_mb(before[1]):.0f} MB",
                f"{_rss_mb(after[1]):.0f} MB",
                f"{_rss_mb(bare[1]):.0f} MB",
            )
            figures: dict[str, list[tuple[float, float]]] = {"before": [], "after": [], "after, no cookie": []}
            for _ in range(ROUNDS):  # alternating, so the machine's drift hits every side alike
                figures["before"].append(_pings(*before, cookie))
                figures["after"].append(_pings(*after, cookie))
                figures["after, no cookie"].append(_pings(*after, {}))
            print(
                f"  demo.ping with a session cookie, {PING_REQUESTS} sequential requests x {ROUNDS} rounds (medians):"
            )
            row("", *figures)
            row("  worker CPU per request", *(f"{statistics.median(c for c, _ in v):.0f} µs" for v in figures.values()))
            row("  latency, one in flight", *(f"{statistics.median(m for _, m in v):.2f} ms" for v in figures.values()))
            # The organization route one request at a time: where a round trip fewer shows as latency.
            notes: dict[str, list[tuple[float, float]]] = {"before": [], "after": [], "framework-free": []}
            for _ in range(ROUNDS):
                notes["before"].append(_pings(*before, cookie, _NOTE_COUNT))
                notes["after"].append(_pings(*after, cookie, _NOTE_COUNT))
                notes["framework-free"].append(_pings(*bare, cookie, _NOTE_COUNT))
            print(
                f"  demo.note_count (session cookie), {PING_REQUESTS} sequential requests x {ROUNDS} rounds (medians):"
            )
            row("", *notes)
            row("  worker CPU per request", *(f"{statistics.median(c for c, _ in v):.0f} µs" for v in notes.values()))
            row("  latency, one in flight", *(f"{statistics.median(m for _, m in v):.2f} ms" for v in notes.values()))
        if not _ensure_autocannon():
            return
        ping = '{"message":"hi"}'
        with (
            _server(REPO_ROOT, "tools.bench.bare_asgi_logged:app", env) as bare_logged,
            _server(baseline, "product.asgi:app", env) as before,
            _server(REPO_ROOT, "product.asgi:app", env) as after,
        ):
            trivial = _under_load(
                {"bare ASGI + access log": bare_logged, "demo.ping before": before, "demo.ping after": after},
                {
                    "bare ASGI + access log": "/",
                    "demo.ping before": "/rpc/demo.ping",
                    "demo.ping after": "/rpc/demo.ping",
                },
                ping,
                {},
            )
        with (
            _server(REPO_ROOT, "tools.bench.bare_note_count:app", env) as bare,
            _server(baseline, "product.asgi:app", env) as before,
            _server(REPO_ROOT, "product.asgi:app", env) as after,
        ):
            note_path = "/rpc/demo.note_count"
            organization = _under_load(
                {"framework-free, 4 round trips": bare, "note_count before": before, "note_count after": after},
                {"framework-free, 4 round trips": "/", "note_count before": note_path, "note_count after": note_path},
                "{}",
                cookie,
            )
        heading(
            f"Framework cost under load: one Granian worker each, autocannon c={LOAD_CONNECTIONS}, pool 10, "
            f"{LOAD_ROUNDS} alternating rounds of {LOAD_SECONDS} s (medians)"
        )
        _load_rows("trivial route (goal: >= 85 % of the bare app)", trivial, "bare ASGI + access log")
        _load_rows(
            "organization route (goal: >= 90 % of the framework-free app)",
            organization,
            "framework-free, 4 round trips",
        )
    finally:
        worker.drop()
