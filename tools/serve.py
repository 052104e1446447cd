"""`just serve [product|panopticon]`: the production command. Granian with SERVE_WORKERS worker
processes, no reload, JSON logs unless LOG_FORMAT says otherwise, failed workers respawned, and a
graceful stop on SIGTERM or SIGINT: the listening socket closes, requests in flight finish (up to
SERVE_GRACE_SECONDS), streams end, then the workers exit.

It neither migrates nor provisions (a deploy runs `just migrate` once, before starting replicas)
and keeps nothing in the process that another worker or replica would need: sessions, rate
limits and the outbox live in PostgreSQL.

    python -m tools.serve [product|panopticon] [--workers N] [--host HOST] [--port PORT]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping

from database.pool import create_app_pool, schema_version
from database.target import resolve_target
from foundation.errors import ConfigurationError
from foundation.serving import granian_command
from foundation.settings import Settings, load_serving_settings
from tools.cli import run

APPS = ("product", "panopticon")


def command(
    argv: list[str] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The Granian command line and its environment (the settings are validated first: a bad or
    missing one stops here with one line, not in every worker)."""
    parser = argparse.ArgumentParser(prog="just serve", description="The production server (Granian, no reload).")
    parser.add_argument("app", nargs="?", choices=APPS, default="product")
    parser.add_argument("--workers", type=int, help="worker processes (default: SERVE_WORKERS)")
    parser.add_argument("--host", help="address to listen on (default: SERVE_HOST)")
    parser.add_argument("--port", type=int, help="port (default: PRODUCT_PORT or PANOPTICON_PORT)")
    args = parser.parse_args(argv)
    # One JSON object per line, for log shippers, unless LOG_FORMAT says otherwise.
    environment = {"LOG_FORMAT": "json", **(os.environ if environ is None else environ)}
    settings = load_serving_settings(environment)
    if settings.database_url is None and settings.app_database_url is None:
        raise ConfigurationError(
            "just serve needs DATABASE_URL or APP_DATABASE_URL: it never starts the embedded PostgreSQL"
            " (to serve locally on it, use `uv run just dev`)"
        )
    port = args.port or (settings.product_port if args.app == "product" else settings.panopticon_port)
    line = granian_command(
        f"{args.app}.asgi:app",
        host=args.host or settings.serve_host,
        port=port,
        workers=args.workers or settings.serve_workers,
    )
    line[-1:-1] = [
        "--respawn-failed-workers",
        "--workers-kill-timeout",
        str(settings.serve_grace_seconds),
    ]
    return line, environment


async def _preflight(settings: Settings) -> None:
    """Once, before any worker starts: the database answers as the application role and has a
    schema, or one line says what to do (instead of a traceback per worker in a crash loop)."""
    # Behind PgBouncer in transaction mode, as the workers will: a named statement left on a
    # server connection would collide with the next client's ("already exists").
    pool = await create_app_pool(
        resolve_target(settings, start_embedded=False).app,
        min_size=1,
        max_size=1,
        behind_pooler=settings.database_pooler == "transaction",
    )
    try:
        async with pool.acquire() as conn:
            if await schema_version(conn) is None:
                raise ConfigurationError("the database has no schema yet: run `uv run just migrate` first")
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> None:
    line, environ = command(argv)
    asyncio.run(_preflight(load_serving_settings(environ)))
    sys.stdout.flush()
    # Granian itself becomes this process: signals reach it directly, and it stops gracefully.
    os.execve(line[0], line, environ)


if __name__ == "__main__":
    run(main)
