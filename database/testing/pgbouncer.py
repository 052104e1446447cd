"""PgBouncer in transaction mode in front of a PostgreSQL, for tests and benchmarks.

It is Debian's `pgbouncer` package (`.ci/run` installs it); where it is missing, the pooler
tests are skipped with `SKIP_REASON`. The pooler listens on a loopback port of its own, trusts
the roles the apps use (as the embedded server does) and forwards every database name to the
upstream server, so a test database behind it has the same name as in front of it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from database.embedded import SYSTEM_USER_WHEN_ROOT
from database.target import APP_ROLE, OUTBOX_ROLE, OWNER_ROLE, PANOPTICON_ROLE, PgUrl
from foundation.testing.servers import free_port

SKIP_REASON = "PgBouncer is not installed (Debian: apt-get install pgbouncer): the pooler tests are skipped"


def executable() -> str | None:
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.access(p, os.X_OK)), None
    )


def _config(
    upstream: PgUrl, port: int, folder: Path, pool_size: int, max_clients: int, extra: Mapping[str, str]
) -> str:
    host = upstream.host or "127.0.0.1"
    return f"""[databases]
* = host={host} port={upstream.port or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = {max_clients}
max_db_connections = {pool_size}
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {folder / "pgbouncer.log"}
pidfile = {folder / "pgbouncer.pid"}
""" + "".join(f"{name} = {value}\n" for name, value in extra.items())


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {log.read_text() if log.exists() else '(no log)'}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on {port}: {log.read_text() if log.exists() else ''}")


@contextlib.contextmanager
def pgbouncer(
    upstream: PgUrl, *, pool_size: int = 4, max_clients: int = 500, settings: Mapping[str, str] | None = None
) -> Iterator[PgUrl]:
    """A transaction-mode PgBouncer in front of `upstream`'s server, holding at most `pool_size`
    server connections per database and role pair; yields `upstream` re-pointed at it. `settings`
    adds or overrides lines of its `[pgbouncer]` section (the soak shortens its retry intervals
    and lets the owner role read `SHOW POOLS`)."""
    program = executable()
    if program is None:
        raise RuntimeError(SKIP_REASON)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="blossom-pgbouncer-") as scratch:
        folder = Path(scratch)
        roles = {APP_ROLE, OUTBOX_ROLE, OWNER_ROLE, PANOPTICON_ROLE, upstream.user or "postgres"}
        (folder / "users.txt").write_text("".join(f'"{role}" ""\n' for role in sorted(roles)))
        ini = folder / "pgbouncer.ini"
        ini.write_text(_config(upstream, port, folder, pool_size, max_clients, settings or {}))
        command = [program, str(ini)]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root: as the embedded server's user
            command += ["-u", SYSTEM_USER_WHEN_ROOT]
            shutil.chown(folder, SYSTEM_USER_WHEN_ROOT)
            for path in folder.iterdir():
                shutil.chown(path, SYSTEM_USER_WHEN_ROOT)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_listening(port, process, folder / "pgbouncer.log")
            yield PgUrl(
                user=upstream.user,
                password=upstream.password,
                host="127.0.0.1",
                port=port,
                database=upstream.database,
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
