"""Real servers for tests and benchmarks: free ports, waiting for HTTP, an app under Granian."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from foundation.serving import granian_command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, *, timeout: float = 60, headers: Mapping[str, str] | None = None) -> tuple[int, Any]:
    """GET `url` until something answers (connection refused means "not up yet")."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 (local test servers)
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except (urllib.error.URLError, OSError):  # not up yet, or slow to answer under load
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def granian(
    asgi_target: str,
    port: int,
    env: Mapping[str, str],
    *,
    cwd: Path,
    log: Path | None = None,
    workers: int = 1,
) -> Iterator[subprocess.Popen[bytes]]:
    """Serve `module:app` on 127.0.0.1:`port` with `workers` Granian workers until the block
    ends. The server's output goes to `log` (never to an unread pipe, which would stall it)."""
    command = granian_command(asgi_target, host="127.0.0.1", port=port, workers=workers)
    output = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not None and not isinstance(output, int):
            output.close()
