"""`just dev`: PostgreSQL (embedded unless DATABASE_URL is set), migrations, then product and
panopticon on two ports, reloading on code changes. Each app's URL is printed once its port
accepts connections; a busy port is refused up front, naming the setting that moves it. Ctrl-C
stops everything it started.

    python -m tools.dev [--no-reload] [--host HOST]
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType

from database import embedded
from database.migrate import apply_migrations
from database.provision import provision
from database.target import resolve_target
from foundation.errors import ConfigurationError
from foundation.serving import granian_command
from foundation.settings import load_settings
from tools.cli import run

RELOAD_PATHS = ["foundation", "database", "product", "panopticon"]
PORT_SETTINGS = {"product": "PRODUCT_PORT", "panopticon": "PANOPTICON_PORT"}
_SHUTDOWN_GRACE_SECONDS = 10
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in each child before exec: if this runner is killed outright, the servers go too."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _check_ports_free(host: str, apps: dict[str, int]) -> None:
    """Fail with one line naming the setting to change, before anything starts, when a port is
    taken (the servers would otherwise die mid-start with a traceback each)."""
    if apps["product"] == apps["panopticon"]:
        raise ConfigurationError(
            f"PRODUCT_PORT and PANOPTICON_PORT are both {apps['product']}; give them different ports"
        )
    for name, port in apps.items():
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # As the server will: a port that a closed connection left in TIME_WAIT counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    setting = PORT_SETTINGS[name]
                    raise ConfigurationError(f"port {port} is in use; set {setting} to another port") from None
                raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _accepts_connections(host: str, port: int) -> bool:
    connect_to = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 (a wildcard we were given)
    try:
        with socket.create_connection((connect_to, port), timeout=0.5):
            return True
    except OSError:
        return False


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.dev", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-reload", action="store_true", help="do not restart on code changes")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    args = parser.parse_args(argv)

    settings = load_settings()
    apps = {"product": settings.product_port, "panopticon": settings.panopticon_port}
    _check_ports_free(args.host, apps)
    postgres_dir = settings.data_dir / "postgres"
    started_postgres = settings.database_url is None and not embedded.is_running(postgres_dir)
    target = resolve_target(settings)
    provision(target)
    applied = apply_migrations(target)
    print(
        f"database {target.app.database!r} at {target.app.where}: "
        + (f"applied {', '.join(applied)}" if applied else "migrations up to date"),
        flush=True,
    )

    # The servers refuse to start without BLOSSOM_ENV (a forgotten one must not mean development).
    env = {"BLOSSOM_ENV": settings.environment, **os.environ, "APP_DATABASE_URL": target.app.render()}
    children = {
        # Own sessions: a terminal Ctrl-C reaches only this runner, which shuts the servers down in order.
        name: subprocess.Popen(
            granian_command(
                f"{name}.asgi:app", host=args.host, port=port, reload_paths=None if args.no_reload else RELOAD_PATHS
            ),
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        for name, port in apps.items()
    }
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    failed: str | None = None
    waiting = dict(apps)  # announced once they accept connections, not before
    try:
        while not stopping and failed is None:
            failed = next((name for name, child in children.items() if child.poll() is not None), None)
            for name, port in list(waiting.items()):
                if _accepts_connections(args.host, port):
                    print(f"{name:<11} http://{args.host}:{port}/health", flush=True)
                    del waiting[name]
            time.sleep(0.2)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + _SHUTDOWN_GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                # A server that ignores the polite signal (Granian can, mid-way through spawning a
                # worker) is killed with its whole process group, workers included.
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        if started_postgres:
            embedded.stop(postgres_dir)
    if failed is not None:
        print(f"error: {failed} exited with status {children[failed].returncode}; stopped the rest", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    run(main)
