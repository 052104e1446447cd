"""How Blossom's ASGI apps are served: Granian, one command line for development, tests and benchmarks."""

from __future__ import annotations

import sys


def granian_command(
    asgi_target: str,
    *,
    host: str,
    port: int,
    workers: int = 1,
    reload_paths: list[str] | None = None,
) -> list[str]:
    """`python -m granian …` serving `module:app`; `reload_paths` turns on reloading on changes there."""
    # uvloop: asyncpg and the RPC dispatcher spend much of their time in the event loop itself.
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--loop",
        "uvloop",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
    ]
    if reload_paths:
        command += ["--reload", *[arg for path in reload_paths for arg in ("--reload-paths", path)]]
    return [*command, asgi_target]


def without_rich() -> None:
    """Keep `rich` out of a serving worker: structlog imports it whenever it is installed (on
    development machines it is, through dev tools) to pretty-print tracebacks, which costs a
    worker ~0.15 s of start-up and some 8 MB it never uses (its logs are JSON lines, or plain
    console lines without rich). Called first by the server entry points (`*/asgi.py`), the
    only modules allowed a side effect at import; a no-op once rich is imported."""
    sys.modules.setdefault("rich", None)  # pyright: ignore[reportArgumentType]  # None: "import rich" fails
