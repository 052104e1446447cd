"""`just soak [--duration SECONDS]`: the product under a bounded, realistic load for a while, with
one PostgreSQL restart in the middle, and a verdict (tools/soak/README.md).

Everything runs on this machine, on servers of the soak's own: an embedded PostgreSQL in a
temporary folder (never the development or test cluster: it is stopped mid-run), PgBouncer in
transaction mode in front of it, and two `just serve` processes (Granian) on two loopback ports
with their pools pointed at PgBouncer. Afterwards all of them are stopped and the folder removed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import psutil

from database import embedded
from database import queries as shared_queries
from database.migrate import apply_migrations
from database.provision import provision
from database.target import APP_ROLE, OUTBOX_ROLE, OWNER_ROLE, DatabaseTarget, PgUrl, target_from_admin_url
from database.testing import pgbouncer
from foundation.ids import new_id
from foundation.passwords import PasswordHasher
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json
from tools.soak.checks import Growth, LeakChecker, Tally, Tenant, Window, growth, new_marker
from tools.soak.load import PASSWORD, Account, Shared, VirtualUser

SERVERS = 2
APP_POOL_SIZE = 5  # DATABASE_POOL_SIZE of each server
POOLER_SERVER_CONNECTIONS = 4  # PgBouncer's server connections for the database, all roles together
OUTBOX_POOL_SIZE = 2  # each app's outbox pool (database/app_database.py)
GRACE_SECONDS = 6.0  # after PostgreSQL is back, until the pools and PgBouncer must have reconnected
OUTAGE_LINES_PER_SERVER = 2  # its request pool's and its outbox pool's
SAMPLE_SECONDS = 2.0
DRAIN_SECONDS = 30.0  # how long the outbox may take to deliver what is left after the load
RSS_GROWTH_RATIO = 0.25
RSS_GROWTH_SLACK_MB = 32.0

# PgBouncer as a deployment would set it for fast failover: retry the server login every second
# (not 15 s), and let a query wait at most 5 s for a server connection before its client is told
# (a 503 from the app) instead of the default 120 s.
POOLER_SETTINGS = {"server_login_retry": "1", "query_wait_timeout": "5", "stats_users": OWNER_ROLE}


@dataclass(frozen=True)
class Options:
    duration: float = 600.0
    tenants: int = 6
    users_per_tenant: int = 2
    outage_seconds: float = 3.0


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the load started
    rss_mb: tuple[float, ...]  # per server: the Granian process and its workers
    server_connections: int | None  # the app and outbox roles' backends in the soak's database
    pooler_clients: int | None  # PgBouncer's client connections: the apps' pools
    pooler_servers: int | None


@dataclass
class Report:
    options: Options
    tally: Tally
    samples: list[Sample]
    outage: Window | None
    outage_began: float
    outage_lasted: float
    streams: tuple[int, int, int]  # opened, dropped, read to the end
    growths: list[Growth] = field(default_factory=list)
    invariants: dict[str, str] = field(default_factory=dict)  # name -> "" when it holds, else what broke
    outage_lines: tuple[int, ...] = ()  # database_unavailable lines in each server's log
    delivered_mail: int = 0
    leased_mail: int = 0  # pending under a claim the outage interrupted: retried after its lease
    invited: int = 0  # members.invite answered 200
    invites_unanswered: int = 0  # members.invite answered 503 or not at all: committed or not

    @property
    def problems(self) -> list[str]:
        found = list(self.tally.problems)
        found += [
            f"{g.what} grew from {g.start:.1f} to {g.end:.1f} (allowed {g.allowed:.1f})"
            for g in self.growths
            if not g.ok
        ]
        found += [f"invariant broken: {name}: {broken}" for name, broken in self.invariants.items() if broken]
        # Mail goes out once per committed invitation: every one answered 200, perhaps some whose
        # answer the outage swallowed after the commit, and never one more.
        sent = self.delivered_mail + self.leased_mail
        if not self.invited <= sent <= self.invited + self.invites_unanswered:
            found.append(
                f"{self.delivered_mail} invitation mails delivered and {self.leased_mail} held by a claim"
                f" for {self.invited} invitations made ({self.invites_unanswered} unanswered)"
            )
        for server, lines in enumerate(self.outage_lines, 1):
            if lines > OUTAGE_LINES_PER_SERVER:  # the app's pool and the outbox worker's: once each
                found.append(f"server {server} logged database_unavailable {lines} times for one outage")
        if self.outage is not None and self.tally.outage_503 == 0:
            found.append("PostgreSQL was restarted but no request was answered 503 during the outage")
        return found

    def render(self) -> str:
        o = self.options
        t = self.tally
        lines = [
            f"soak: {o.duration:.0f} s, {SERVERS} servers (just serve, Granian) through PgBouncer in transaction mode"
            f" ({POOLER_SERVER_CONNECTIONS} server connections), {o.tenants} tenants x {o.users_per_tenant} users",
            f"requests: {sum(t.requests.values()):,}  ("
            + ", ".join(f"{route} {n:,}" for route, n in t.requests.most_common())
            + ")",
            "answers: " + ", ".join(f"{kind}: {n:,}" for kind, n in sorted(t.kinds.items())),
        ]
        if self.outage is not None:
            lines.append(
                f"outage: PostgreSQL stopped at {self.outage_began:.1f} s for {self.outage_lasted:.1f} s;"
                f" answered 503 unavailable: {t.outage_503:,}; database_unavailable lines per server:"
                f" {', '.join(map(str, self.outage_lines)) or '-'}"
            )
        opened, dropped, finished = self.streams
        lines.append(f"streams: opened {opened:,}, dropped mid-stream {dropped:,}, read to the end {finished:,}")
        lines.append(f"leaks found: {len(t.leaks)}")
        for g in self.growths:
            lines.append(
                f"{g.what}: start {g.start:.1f}, end {g.end:.1f} (allowed {g.allowed:.1f})" + ("" if g.ok else "  GREW")
            )
        lines.append(
            f"samples (every {SAMPLE_SECONDS:.0f} s, {len(self.samples)} taken; RSS per server in MB,"
            " PostgreSQL's client backends, PgBouncer's client and server connections):"
        )
        step = max(1, len(self.samples) // 12)
        for sample in self.samples[::step]:
            rss = " / ".join(f"{mb:.0f}" for mb in sample.rss_mb)
            lines.append(
                f"  {sample.at:6.1f} s  RSS {rss}  server connections {_known(sample.server_connections)}"
                f"  pooler clients {_known(sample.pooler_clients)} servers {_known(sample.pooler_servers)}"
            )
        lines.append(
            f"invitations answered 200: {self.invited:,}; mail delivered through the outbox: {self.delivered_mail:,},"
            f" held by a claim the outage cut short (retried after its lease): {self.leased_mail:,}"
        )
        for name, broken in self.invariants.items():
            lines.append(f"invariant {name}: {'holds' if not broken else 'BROKEN: ' + broken}")
        problems = self.problems
        lines.append("verdict: " + ("clean" if not problems else f"{len(problems)} problem(s)"))
        lines += [f"  - {p}" for p in problems[:50]]
        return "\n".join(lines)


def _known(value: int | None) -> str:
    return "-" if value is None else str(value)


# --- servers ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _own_postgres() -> Iterator[tuple[Path, DatabaseTarget]]:
    # Under /tmp itself (as product/outage_test.py does): the server's system user must reach it.
    base = Path(tempfile.mkdtemp(prefix="blossom-soak-"))
    data_dir = base / "pg"
    try:
        server = embedded.ensure_running(data_dir, settings=embedded.FAST_UNSAFE_SETTINGS)
        target = target_from_admin_url(PgUrl.parse(server.url("blossom_soak")), embedded=False)
        provision(target)
        apply_migrations(target)
        yield data_dir, target
    finally:
        embedded.stop(data_dir)
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def _serve(environment: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`just serve product` with one worker on a free loopback port; SIGTERM at the end."""
    port = free_port()
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.serve", "product", "--workers", "1", "--port", str(port)],
            cwd=REPO_ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            get_json(f"http://127.0.0.1:{port}/health", timeout=120)
            yield f"http://127.0.0.1:{port}", process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _rss_mb(process: subprocess.Popen[bytes]) -> float:
    try:
        root = psutil.Process(process.pid)
        tree = [root, *root.children(recursive=True)]
        return sum(p.memory_info().rss for p in tree if p.is_running()) / 2**20
    except psutil.Error:
        return 0.0


# --- seeding and invariants ----------------------------------------------------------------------


async def _seed(target: DatabaseTarget, options: Options) -> tuple[list[Tenant], list[Account]]:
    """Tenants whose every name carries their marker: an organization, its users, its notes."""
    password_hash = PasswordHasher().hash(PASSWORD)
    conn = await asyncpg.connect(target.owner.render())
    tenants: list[Tenant] = []
    accounts: list[Account] = []
    try:
        for index in range(options.tenants):
            tenant = Tenant(index=index, marker=new_marker(index))
            org = await shared_queries.create_org(conn, id=new_id("org"), name=f"Tenant {index} {tenant.marker}")
            assert org is not None
            tenant.org_id = org.id
            for number in range(options.users_per_tenant):
                role = "owner" if number == 0 else "member"
                email = f"{role}{number}-{tenant.marker}@soak.example"
                user = await shared_queries.create_user(
                    conn, email=email, display_name=f"{role} {tenant.marker}", password_hash=password_hash
                )
                assert user is not None
                tenant.user_ids.append(user.id)
                await shared_queries.create_membership(conn, org_id=org.id, user_id=user.id, role=role)
                address = f"10.0.{index}.{number + 1}"
                accounts.append(Account(tenant=tenant, email=email, role=role, address=address))
            for note in range(index + 1):
                await shared_queries.create_org_note(conn, org_id=org.id, body=f"note {note} of {tenant.marker}")
            tenants.append(tenant)
    finally:
        await conn.close()
    return tenants, accounts


_ORGS_WITHOUT_OWNER = """
SELECT o.id FROM orgs o
WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = o.id AND m.role = 'owner')
"""
_DANGLING_MEMBERSHIPS = """
SELECT m.id FROM memberships m
LEFT JOIN orgs o ON o.id = m.org_id LEFT JOIN users u ON u.id = m.user_id
WHERE o.id IS NULL OR u.id IS NULL
"""
_DANGLING_INVITES = "SELECT i.id FROM invites i LEFT JOIN orgs o ON o.id = i.org_id WHERE o.id IS NULL"
# Due: pending and free to claim. Leased: claimed by a worker whose pass the outage cut short
# (delivered or not, it is retried when the claim's lease ends, 5 minutes on).
_OUTBOX = """
SELECT count(*) FILTER (WHERE status = 'pending' AND (locked_until IS NULL OR locked_until <= now())) AS due,
       count(*) FILTER (WHERE status = 'pending' AND locked_until > now()) AS leased,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'delivered') AS delivered
FROM outbox
"""
# At most one batch per server's worker can be in hand when PostgreSQL goes away.
OUTBOX_BATCH = 5
_ORG_NAMES = "SELECT id, name FROM orgs"


async def _wait_for_drained_outbox(conn: asyncpg.Connection) -> asyncpg.Record:
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        counts = await conn.fetchrow(_OUTBOX)
        assert counts is not None  # an aggregate: always one row
        if counts["due"] == 0 or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.5)


async def _invariants(target: DatabaseTarget, tenants: list[Tenant], report: Report) -> None:
    conn = await asyncpg.connect(target.owner.render())
    try:
        outbox = await _wait_for_drained_outbox(conn)
        report.delivered_mail = outbox["delivered"]
        report.leased_mail = outbox["leased"]
        ownerless = [r[0] for r in await conn.fetch(_ORGS_WITHOUT_OWNER)]
        report.invariants["every organization has an owner"] = ", ".join(ownerless)
        dangling = [r[0] for r in await conn.fetch(_DANGLING_MEMBERSHIPS)] + [
            r[0] for r in await conn.fetch(_DANGLING_INVITES)
        ]
        report.invariants["every membership and invitation points at live rows"] = ", ".join(dangling)
        undrained = []
        if outbox["due"] or outbox["failed"]:
            undrained.append(f"{outbox['due']} due, {outbox['failed']} failed")
        if outbox["leased"] > SERVERS * OUTBOX_BATCH:
            undrained.append(f"{outbox['leased']} held by claims, more than the {SERVERS} workers' batches")
        name = "the outbox is drained (nothing due or failed; held only by claims the outage cut short)"
        report.invariants[name] = "; ".join(undrained)
        checker = LeakChecker(tenants)
        by_org = {tenant.org_id: tenant.index for tenant in tenants}
        renamed_wrong = []
        for org_id, name in await conn.fetch(_ORG_NAMES):
            leaks = checker.leaks("orgs.name", by_org.get(org_id), name)
            if leaks or (org_id in by_org and tenants[by_org[org_id]].marker not in name):
                renamed_wrong.append(f"{org_id} is named {name!r}")
        report.invariants["each organization's name carries its own tenant's marker only"] = "; ".join(renamed_wrong)
    finally:
        await conn.close()


# --- sampling ---------------------------------------------------------------------------------------


# The apps' connections, all through PgBouncer (the soak's own direct ones, as the owner or the
# administrator, apart).
_CONNECTIONS = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = $1 AND backend_type = 'client backend' AND usename = ANY ($2::text[])
"""


_OUTAGE = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)


async def _server_connections(target: DatabaseTarget) -> int | None:
    # The restart may catch a connection anywhere: refused, cut mid-handshake, or closed by the
    # server's FATAL while asyncpg's protocol is still busy (InternalClientError, InterfaceError).
    try:
        conn = await asyncpg.connect(target.admin.render(), timeout=2)
    except _OUTAGE:
        return None
    try:
        return await conn.fetchval(_CONNECTIONS, target.app.database, [APP_ROLE, OUTBOX_ROLE])
    except _OUTAGE:
        return None
    finally:
        conn.terminate()


def _pooler_pools(pooler: PgUrl) -> tuple[int, int] | None:
    """(client connections, server connections) from PgBouncer's `SHOW POOLS` (simple query
    protocol only, hence psql)."""
    command = [str(embedded.bin_path("psql")), "-h", "127.0.0.1", "-p", str(pooler.port), "-U", OWNER_ROLE]
    command += ["-d", "pgbouncer", "-A", "-F", "|", "-c", "SHOW POOLS"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=5, check=True)
    except (subprocess.SubprocessError, OSError):
        return None
    lines = [line for line in result.stdout.splitlines() if "|" in line]
    if not lines:
        return None
    header = lines[0].split("|")
    clients = servers = 0
    for line in lines[1:]:
        row = dict(zip(header, line.split("|"), strict=False))
        if row.get("database") == "pgbouncer":
            continue
        clients += int(row.get("cl_active", 0)) + int(row.get("cl_waiting", 0))
        servers += sum(int(row.get(k, 0)) for k in ("sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login"))
    return clients, servers


async def _sampler(
    target: DatabaseTarget, pooler: PgUrl, processes: list[subprocess.Popen[bytes]], started: float, stop: asyncio.Event
) -> list[Sample]:
    samples: list[Sample] = []
    while not stop.is_set():
        connections = await _server_connections(target)
        pools = await asyncio.to_thread(_pooler_pools, pooler)
        samples.append(
            Sample(
                at=time.monotonic() - started,
                rss_mb=tuple(_rss_mb(p) for p in processes),
                server_connections=connections,
                pooler_clients=pools[0] if pools else None,
                pooler_servers=pools[1] if pools else None,
            )
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_SECONDS)
    return samples


def _growths(samples: list[Sample], options: Options, outage: Window | None, started: float) -> list[Growth]:
    """Baseline: the samples after a warm-up (a fifth of the run, at most a minute) and before the
    outage; end: the last fifth of the run, after the outage's grace."""
    warmup = min(options.duration / 5, 60.0)
    span = max(options.duration / 5, 3 * SAMPLE_SECONDS)
    after_outage = (outage.end - started) if outage is not None else 0.0
    baseline = [
        s for s in samples if warmup <= s.at <= warmup + span and (outage is None or s.at < outage.start - started)
    ]
    final = [s for s in samples if s.at >= max(options.duration - span, after_outage)]
    if not baseline or not final:
        return []
    found = []
    for server in range(len(samples[0].rss_mb)):
        found.append(
            growth(
                f"RSS of server {server + 1} (MB)",
                [s.rss_mb[server] for s in baseline],
                [s.rss_mb[server] for s in final],
                ratio=RSS_GROWTH_RATIO,
                slack=RSS_GROWTH_SLACK_MB,
            )
        )
    # Connections have hard caps, whatever the baseline: PgBouncer's server connections for the
    # database, and each app's two pools. PostgreSQL's own count may show one more for a moment: a
    # backend PgBouncer closed (its client left mid-transaction) still exiting while its
    # replacement logs in; at the end it must be back within the cap.
    server_counts = [s.server_connections for s in samples if s.server_connections is not None]
    pooler_servers = [s.pooler_servers for s in samples if s.pooler_servers is not None]
    client_counts = [s.pooler_clients for s in samples if s.pooler_clients is not None]
    cap = POOLER_SERVER_CONNECTIONS
    if server_counts:
        ending = [s.server_connections for s in final if s.server_connections is not None] or server_counts[-1:]
        found.append(
            Growth("PostgreSQL backends of the apps (max over the run)", server_counts[0], max(server_counts), cap + 1)
        )
        found.append(
            Growth(
                "PostgreSQL backends of the apps (median at the end)", server_counts[0], statistics.median(ending), cap
            )
        )
    if pooler_servers:
        found.append(
            Growth("PgBouncer server connections (max over the run)", pooler_servers[0], max(pooler_servers), cap)
        )
    if client_counts:
        clients_cap = SERVERS * (APP_POOL_SIZE + OUTBOX_POOL_SIZE)
        found.append(
            Growth("PgBouncer client connections (max over the run)", client_counts[0], max(client_counts), clients_cap)
        )
    return found


# --- the run ---------------------------------------------------------------------------------------


async def _restart_postgres(data_dir: Path, at: float, options: Options) -> tuple[float, float]:
    """Stop PostgreSQL at `at` (monotonic), start it again after `outage_seconds`; returns when it
    began and when the server accepted connections again."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    began = time.monotonic()
    await asyncio.to_thread(embedded.stop, data_dir)
    await asyncio.sleep(options.outage_seconds)
    await asyncio.to_thread(embedded.ensure_running, data_dir, settings=embedded.FAST_UNSAFE_SETTINGS)
    return began, time.monotonic()


async def _drive(
    options: Options,
    data_dir: Path,
    target: DatabaseTarget,
    pooler: PgUrl,
    servers: list[str],
    processes: list[subprocess.Popen[bytes]],
    tenants: list[Tenant],
    accounts: list[Account],
) -> Report:
    started = time.monotonic()
    shared = Shared(servers=servers, checker=LeakChecker(tenants), deadline=started + options.duration)
    users = [VirtualUser(shared, account, seed=n) for n, account in enumerate(accounts)]
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(_sampler(target, pooler, processes, started, stop_sampling))
    restart = asyncio.create_task(_restart_postgres(data_dir, started + options.duration / 2, options))
    await asyncio.gather(*(user.run() for user in users))
    began, back = await restart
    outage = Window(began, back + GRACE_SECONDS)
    tally = Tally()
    for outcome in shared.outcomes:
        tally.record(
            outcome.route,
            sent=outcome.sent,
            answered=outcome.answered,
            status=outcome.status,
            code=outcome.code,
            window=outage,
            expect_4xx=outcome.expect_4xx,
            transport_error=outcome.transport_error,
        )
    tally.record_leaks(shared.leaks)
    report = Report(
        options=options,
        tally=tally,
        samples=[],
        outage=outage,
        outage_began=began - started,
        outage_lasted=back - began,
        streams=(shared.streams_opened, shared.streams_dropped, shared.streams_finished),
    )
    invites = [o for o in shared.outcomes if o.route == "members.invite"]
    report.invited = sum(o.status == 200 for o in invites)
    report.invites_unanswered = sum(o.status is None or o.status == 503 for o in invites)
    await _invariants(target, tenants, report)
    await asyncio.sleep(SAMPLE_SECONDS)  # one more sample with the load gone
    stop_sampling.set()
    report.samples = await sampler
    report.growths = _growths(report.samples, options, outage, started)
    return report


def soak(options: Options, *, log_dir: Path | None = None) -> Report:
    """Run the soak; the servers' logs go to `log_dir` (a temporary folder when None)."""
    if pgbouncer.executable() is None:
        raise RuntimeError(pgbouncer.SKIP_REASON)
    with (
        _own_postgres() as (data_dir, target),
        tempfile.TemporaryDirectory(prefix="blossom-soak-logs-") as scratch,
        pgbouncer.pgbouncer(target.app, pool_size=POOLER_SERVER_CONNECTIONS, settings=POOLER_SETTINGS) as pooled,
    ):
        logs = log_dir or Path(scratch)
        tenants, accounts = asyncio.run(_seed(target, options))
        environment = _environment(target, pooled, logs)
        with contextlib.ExitStack() as stack:
            started = [stack.enter_context(_serve(environment, logs / f"server-{n + 1}.log")) for n in range(SERVERS)]
            servers = [base for base, _ in started]
            processes = [process for _, process in started]
            report = asyncio.run(_drive(options, data_dir, target, pooled, servers, processes, tenants, accounts))
        # The servers have stopped: their logs are complete.
        report.outage_lines = tuple(
            _count_events(logs / f"server-{n + 1}.log", "database_unavailable") for n in range(SERVERS)
        )
        return report


def _count_events(log: Path, event: str) -> int:
    needle = f'"event":"{event}"'
    return sum(needle in line for line in log.read_text(errors="replace").splitlines())


def _environment(target: DatabaseTarget, pooled: PgUrl, logs: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BLOSSOM_ENV": "development",  # plain http (cookies without Secure) and the demo stream route
        "LOG_FORMAT": "json",
        "DATABASE_URL": target.admin.render(),
        "APP_DATABASE_URL": pooled.render(),
        "DATABASE_POOLER": "transaction",
        "DATABASE_POOL_SIZE": str(APP_POOL_SIZE),
        "TRUSTED_PROXIES": "127.0.0.1",  # each virtual user's X-Forwarded-For is its address
        "BLOSSOM_MAIL_OUTBOX": str(logs / "mail.jsonl"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="just soak", description=" ".join(__doc__.split("\n\n")[0].split()) if __doc__ else None
    )
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600)")
    parser.add_argument("--tenants", type=int, default=Options.tenants)
    parser.add_argument("--users-per-tenant", type=int, default=Options.users_per_tenant)
    parser.add_argument("--outage-seconds", type=float, default=Options.outage_seconds)
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this folder")
    args = parser.parse_args(argv)
    if args.duration < 20:
        parser.error("--duration must be at least 20 seconds (warm-up, the outage and its grace must fit)")
    options = Options(
        duration=args.duration,
        tenants=args.tenants,
        users_per_tenant=max(1, args.users_per_tenant),
        outage_seconds=args.outage_seconds,
    )
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    report = soak(options, log_dir=args.logs)
    print(report.render(), flush=True)
    if report.problems:
        sys.exit(1)
