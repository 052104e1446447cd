"""The graph module's figures, side by side in one run (issue 12):

- requests/s of one `nodes.get` over `/jsonrpc` against the same over `/rpc/nodes.get` (goal:
  within 10 %), and a batch of 50 `nodes.get` calls against 50 single requests (calls/s): one
  Granian worker, autocannon at c=32 (c=4 for batches: 200 calls in flight), alternating rounds,
  medians of each round's requests/s;
- `nodes.list` with a containment filter on 1,000,000 nodes across 1,000 organizations (p50 and
  p99; goal under 10 ms p99): sequential requests over HTTP, each as a member of a random
  organization, with a common filter (a quarter of the org's nodes match) and a rare one (1 %);
  and the same query alone, as the application role under RLS, without HTTP.

The nodes are bulk-loaded with generate_series by the superuser with triggers off (the foreign
keys are sound by construction), then ANALYZEd: the load's time is printed, not part of a figure.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

import asyncpg

from database.target import DatabaseTarget
from database.testing.harness import create_worker_database
from database.tx import tenant_transaction_on
from foundation.crypto import token_digest
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json, granian
from foundation.time import system_clock
from product.graph import queries as graph_queries
from tools.bench.product import _autocannon, bench_session_token
from tools.bench.rpc import _ensure_autocannon
from tools.bench.stats import heading, ms, percentile, row

ORGS = int(os.environ.get("BENCH_GRAPH_ORGS", "1000"))
NODES_PER_ORG = int(os.environ.get("BENCH_GRAPH_NODES_PER_ORG", "1000"))
CONNECTIONS = 32
BATCH_CONNECTIONS = 4
ROUNDS = 3
ROUND_SECONDS = 3
BATCH = 50
LIST_REQUESTS = 400  # per filter, over HTTP
QUERY_RUNS = 500  # per case, the query alone
USER_ID = "usr_" + "0" * 25 + "1"
FILTERS = {"common (1 in 4 match)": {"colour": "red"}, "rare (1 in 100 match)": {"size": 42}}


def _id(prefix: str, n: int) -> str:
    return f"{prefix}_{n:026d}"


LOAD = """
SET session_replication_role = replica;  -- no foreign key triggers: the rows are sound by construction
INSERT INTO orgs (id, name) SELECT 'org_' || lpad(o::text, 26, '0'), 'Bench ' || o FROM generate_series(1, {orgs}) o;
INSERT INTO users (id, email, display_name, password_hash) VALUES ('{user}', 'bench@example.com', 'Bench', 'x');
INSERT INTO memberships (org_id, user_id, role)
    SELECT 'org_' || lpad(o::text, 26, '0'), '{user}', 'owner' FROM generate_series(1, {orgs}) o;
INSERT INTO graph_node_types (id, org_id, name, schema, created_at, updated_at)
    SELECT 'nty_' || lpad(o::text, 26, '0'), 'org_' || lpad(o::text, 26, '0'), 'item', '{{}}', now(), now()
    FROM generate_series(1, {orgs}) o;
INSERT INTO graph_nodes (id, org_id, node_type_id, data, created_at, updated_at)
    SELECT 'nod_' || lpad(g::text, 26, '0'), 'org_' || lpad(o::text, 26, '0'), 'nty_' || lpad(o::text, 26, '0'),
           jsonb_build_object('n', g, 'colour', (ARRAY['red', 'green', 'blue', 'amber'])[g % 4 + 1],
                              'size', g % 100, 'name', 'item ' || g),
           now(), now()
    FROM generate_series(1, {orgs}) o, LATERAL generate_series((o - 1) * {per_org} + 1, o * {per_org}) g;
SET session_replication_role = DEFAULT;
"""


async def _seed(target: DatabaseTarget) -> tuple[list[str], float]:
    """The orgs, their nodes, one member of all with a session in each; (tokens by org, seconds)."""
    started = time.perf_counter()
    conn = await asyncpg.connect(target.admin.render())
    try:
        await conn.execute(LOAD.format(orgs=ORGS, per_org=NODES_PER_ORG, user=USER_ID))
        await conn.execute("VACUUM ANALYZE graph_nodes")
        await conn.execute("ANALYZE")
        tokens = [bench_session_token() for _ in range(ORGS)]
        now = system_clock.now()
        await conn.executemany(
            "INSERT INTO sessions (id, user_id, token_hash, active_org_id, user_agent, created_at, last_seen_at,"
            " expires_at) VALUES ($1, $2, $3, $4, '', $5, $5, $6)",
            [
                (_id("ses", o), USER_ID, token_digest(tokens[o - 1]), _id("org", o), now, now + dt.timedelta(days=1))
                for o in range(1, ORGS + 1)
            ],
        )
    finally:
        await conn.close()
    return tokens, time.perf_counter() - started


def _rps(target: DatabaseTarget, token: str, log: Path) -> dict[str, list[float]]:
    """Per-second requests of each load, over ROUNDS alternating rounds on one server."""
    node = _id("nod", 1)  # org 1's first node
    one = {"id": node}
    loads = {
        "rpc": ("/rpc/nodes.get", json.dumps(one)),
        "jsonrpc": ("/jsonrpc", json.dumps({"jsonrpc": "2.0", "method": "nodes.get", "params": one, "id": 1})),
        "batch": (
            "/jsonrpc",
            json.dumps(
                [
                    {"jsonrpc": "2.0", "method": "nodes.get", "params": {"id": _id("nod", n + 1)}, "id": n}
                    for n in range(BATCH)
                ]
            ),
        ),
    }
    headers = {"cookie": f"blossom_session={token}", "content-type": "application/json"}
    samples: dict[str, list[float]] = {name: [] for name in loads}
    port = free_port()
    with granian("product.asgi:app", port, _environment(target), cwd=REPO_ROOT, log=log):
        base = f"http://127.0.0.1:{port}"
        get_json(f"{base}/health")
        for name, (path, body) in loads.items():
            _check(base + path, body, headers)
            connections = BATCH_CONNECTIONS if name == "batch" else CONNECTIONS
            _autocannon(base + path, connections=connections, seconds=1, headers=headers, body=body)  # warm-up
        for round_ in range(ROUNDS):
            order = list(loads.items())
            for name, (path, body) in order if round_ % 2 == 0 else reversed(order):
                # A batch holds its 50 calls in one request: at c=32 one would wait seconds behind the
                # others and a short round would end before most answers; 4 batches keep 200 calls queued.
                connections = BATCH_CONNECTIONS if name == "batch" else CONNECTIONS
                report = _autocannon(
                    base + path, connections=connections, seconds=ROUND_SECONDS, headers=headers, body=body
                )
                samples[name].append(report["requests"]["average"])
    return samples


def _check(url: str, body: str, headers: dict[str, str]) -> None:
    """The load answers what it should (a JSON-RPC error is a 200 too: autocannon would not see it)."""
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        answer = json.loads(response.read())
    answers = answer if isinstance(answer, list) else [answer]
    assert all("error" not in a for a in answers), answers[:1]


def _environment(target: DatabaseTarget) -> dict[str, str]:
    return {
        **os.environ,
        "BLOSSOM_ENV": "development",
        "LOG_FORMAT": "json",
        "BLOSSOM_DISABLE_RATE_LIMITS": "1",
        "DATABASE_POOL_SIZE": str(CONNECTIONS),
        "DATABASE_URL": target.admin.render(),
        "APP_DATABASE_URL": target.app.render(),
    }


def _list_latencies(target: DatabaseTarget, tokens: list[str], log: Path) -> dict[str, list[float]]:
    """Seconds per `nodes.list` request (one at a time, a random org each), by filter."""
    rng = random.Random(12)  # noqa: S311 (which org to ask for, not a secret)
    found: dict[str, list[float]] = {name: [] for name in FILTERS}
    port = free_port()
    with granian("product.asgi:app", port, _environment(target), cwd=REPO_ROOT, log=log):
        base = f"http://127.0.0.1:{port}/rpc/nodes.list"
        get_json(f"http://127.0.0.1:{port}/health")
        for name, filter_ in FILTERS.items():
            for n in range(LIST_REQUESTS + 20):
                org = rng.randrange(1, ORGS + 1)
                body = json.dumps({"node_type_id": _id("nty", org), "filter": filter_}).encode()
                headers = {"cookie": f"blossom_session={tokens[org - 1]}", "content-type": "application/json"}
                request = urllib.request.Request(base, data=body, headers=headers, method="POST")
                started = time.perf_counter()
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
                    answer = json.loads(response.read())
                elapsed = time.perf_counter() - started
                assert answer["nodes"], answer
                if n >= 20:  # the first ones warm the pool and the statement caches
                    found[name].append(elapsed)
    return found


QUERY_CASES = {  # label: (query, filter, whether it names the type)
    "one type, common filter": (graph_queries.LIST_NODES_OF_TYPE_CONTAINING_SQL, {"colour": "red"}, True),
    "one type, rare filter": (graph_queries.LIST_NODES_OF_TYPE_CONTAINING_SQL, {"size": 42}, True),
    "all types, rare filter": (graph_queries.LIST_NODES_CONTAINING_SQL, {"size": 42}, False),
}
PLAIN_GIN = "CREATE INDEX graph_nodes_data_plain_idx ON graph_nodes USING gin (data jsonb_path_ops)"


async def _query_latencies(target: DatabaseTarget) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Seconds per list query alone (a page of 50), as the app role in a tenant transaction on a
    random org, by case; and the plan of each case."""
    rng = random.Random(13)  # noqa: S311 (which org to ask for, not a secret)
    found: dict[str, list[float]] = {name: [] for name in QUERY_CASES}
    plans: dict[str, str] = {}
    conn = await asyncpg.connect(target.app.render())
    try:
        for name, (sql, filter_, typed) in QUERY_CASES.items():
            for n in range(QUERY_RUNS + 20):
                number = rng.randrange(1, ORGS + 1)
                org = _id("org", number)
                args = (org, _id("nty", number)) if typed else (org,)
                started = time.perf_counter()
                async with tenant_transaction_on(conn, user_id=USER_ID, org_id=org) as tx:
                    rows = await tx.fetch(sql, *args, json.dumps(filter_), "", 51)
                elapsed = time.perf_counter() - started
                assert rows
                if n >= 20:
                    found[name].append(elapsed)
            async with tenant_transaction_on(conn, user_id=USER_ID, org_id=_id("org", 7)) as tx:
                args = (_id("org", 7), _id("nty", 7)) if typed else (_id("org", 7),)
                lines = await tx.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + sql, *args, json.dumps(filter_), "", 51)
                plans[name] = "\n".join("      " + line[0] for line in lines)
    finally:
        await conn.close()
    return found, plans


async def _with_plain_gin(target: DatabaseTarget) -> None:
    """The alternative: a GIN on data alone (RLS and org_id filter after it), instead of btree_gin's."""
    conn = await asyncpg.connect(target.admin.render())
    try:
        await conn.execute(PLAIN_GIN)
        await conn.execute("DROP INDEX graph_nodes_org_id_data_idx")
        await conn.execute("ANALYZE graph_nodes")
    finally:
        await conn.close()


def run_all() -> None:
    heading(
        f"Graph: nodes.get over /jsonrpc vs /rpc/, and nodes.list on {ORGS * NODES_PER_ORG:,} nodes in {ORGS:,} orgs"
    )
    if not _ensure_autocannon():
        return
    worker = create_worker_database("bench_graph")
    try:
        tokens, load_seconds = asyncio.run(_seed(worker.target))
        with tempfile.TemporaryDirectory() as scratch:
            log = Path(scratch) / "server.log"
            samples = _rps(worker.target, tokens[0], log)
            http = _list_latencies(worker.target, tokens, log)
        alone, plans = asyncio.run(_query_latencies(worker.target))
        asyncio.run(_with_plain_gin(worker.target))
        plain, plain_plans = asyncio.run(_query_latencies(worker.target))
    finally:
        worker.drop()
    row(f"bulk load of {ORGS * NODES_PER_ORG:,} nodes (generate_series, then ANALYZE)", f"{load_seconds:.1f} s")
    print(
        f"\n  nodes.get: c={CONNECTIONS} (batches c={BATCH_CONNECTIONS}), {ROUNDS} alternating rounds of"
        f" {ROUND_SECONDS} s, medians"
    )
    rpc, one, batch = (statistics.median(samples[name]) for name in ("rpc", "jsonrpc", "batch"))
    row("", "requests/s", "calls/s", "50 calls take")
    row("/rpc/nodes.get, one call a request", f"{rpc:,.0f}", f"{rpc:,.0f}", f"{BATCH / rpc * 1000:.1f} ms")
    row("/jsonrpc nodes.get, one call a request", f"{one:,.0f}", f"{one:,.0f}", f"{BATCH / one * 1000:.1f} ms")
    row(f"/jsonrpc, a batch of {BATCH} nodes.get", f"{batch:,.0f}", f"{batch * BATCH:,.0f}", f"{1000 / batch:.1f} ms")
    row("jsonrpc / rpc, one call (goal >= 90 %)", f"{one / rpc * 100:.0f} %")
    row(f"batch of {BATCH} / {BATCH} single requests (calls/s)", f"{batch * BATCH / rpc:.1f} x")
    print("\n  nodes.list of one type with a containment filter, page of 50, a random org each time")
    row("", "p50", "p99", "n")
    for name in FILTERS:
        row(
            f"over HTTP, {name}",
            ms(statistics.median(http[name])),
            ms(percentile(http[name], 0.99)),
            str(len(http[name])),
        )
    print("\n  the list query alone under RLS (app role, tenant transaction, page of 50, a random org each time)")
    row("", "p50", "p99", "n")
    for label, results in (("GIN (org_id, data) via btree_gin", alone), ("plain GIN (data) instead", plain)):
        for name in QUERY_CASES:
            row(
                f"{label}: {name}",
                ms(statistics.median(results[name])),
                ms(percentile(results[name], 0.99)),
                str(len(results[name])),
            )
    for label, chosen in (("GIN (org_id, data)", plans), ("plain GIN (data)", plain_plans)):
        for name in ("all types, rare filter",):
            print(f"  plan, {label}, {name}:\n" + chosen[name])
