"""Database commands: migrate, schema, new-migration, psql, stop.

python -m tools.db migrate              roles + database + pending migrations, then schema.sql
python -m tools.db schema [--check]     regenerate (or verify) database/schema.sql
python -m tools.db new-migration NAME   next numbered migration file, chained with -- depends:
python -m tools.db psql [--as ROLE] [PSQL ARGS]
                                        psql on the development database (owner|app|admin)
python -m tools.db stop                 stop the embedded servers (development and test)

migrate, schema and psql start the embedded servers they need and stop them again when they are
done, unless they were already running (a `just dev` in another terminal keeps its own).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from database import embedded
from database.migrate import apply_migrations, new_migration
from database.provision import provision
from database.schema_dump import SCHEMA_FILE, dump_schema
from database.target import resolve_target
from database.testing.harness import cluster_dir_for_tests, ensure_template, server_admin_url
from foundation.settings import load_settings
from tools.cli import run


def migrate() -> int:
    settings = load_settings()
    target = resolve_target(settings)
    provision(target)
    applied = apply_migrations(target)
    print(
        f"database {target.owner.database!r} at {target.owner.where}: "
        + (f"applied {', '.join(applied)}" if applied else "up to date")
    )
    return schema(check=False)


def schema(*, check: bool) -> int:
    """schema.sql is dumped from a database migrated from scratch (the test template), never from
    the development database, whose history may differ; and always on the embedded PostgreSQL 18,
    so the file does not depend on which server a developer happens to use."""
    saved = {name: os.environ.pop(name) for name in ("TEST_DATABASE_URL", "DATABASE_URL") if name in os.environ}
    try:
        admin, _ = server_admin_url()
    finally:
        os.environ.update(saved)
    template = ensure_template(admin)
    fresh = dump_schema(admin.with_database(template))
    current = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
    if fresh == current:
        print(f"{SCHEMA_FILE.name} is up to date")
        return 0
    if check:
        print(
            f"{SCHEMA_FILE} is stale: run `just migrate` (or `python -m tools.db schema`) and commit it",
            file=sys.stderr,
        )
        return 1
    SCHEMA_FILE.write_text(fresh)
    print(f"wrote {SCHEMA_FILE}")
    return 0


def psql(role: str, psql_args: list[str]) -> int:
    target = resolve_target(load_settings())
    provision(target)  # a fresh checkout has no roles or database yet
    url = {"owner": target.owner, "app": target.app, "admin": target.admin}[role]
    # Run psql as a child, not in this process's place, so the server can be stopped afterwards.
    # Ctrl-C is psql's (it cancels the running query); here it must not end the wait. A Python
    # handler, unlike SIG_IGN, is reset to the default in the child.
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        return subprocess.run([str(embedded.bin_path("psql")), url.render(), *psql_args], check=False).returncode
    finally:
        signal.signal(signal.SIGINT, previous)


def _embedded_dirs() -> tuple[Path, Path]:
    """The development cluster's folder and the test cluster's."""
    return load_settings().data_dir / "postgres", cluster_dir_for_tests()


def stop() -> int:
    for data_dir in _embedded_dirs():
        if embedded.stop(data_dir):
            print(f"stopped {data_dir}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.db", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply pending migrations and refresh schema.sql")
    schema_parser = commands.add_parser("schema", help="regenerate database/schema.sql")
    schema_parser.add_argument("--check", action="store_true", help="fail if schema.sql is stale")
    new_parser = commands.add_parser("new-migration", help="create the next migration file")
    new_parser.add_argument("name", nargs="+")
    psql_parser = commands.add_parser(
        "psql", help="open psql on the development database (other arguments go to psql: -c 'SELECT 1')"
    )
    psql_parser.add_argument("--as", dest="role", choices=["owner", "app", "admin"], default="owner")
    commands.add_parser("stop", help="stop the embedded PostgreSQL servers")
    args, psql_args = parser.parse_known_args(argv)
    if psql_args and args.command != "psql":
        parser.error(f"unrecognized arguments: {' '.join(psql_args)}")
    if args.command == "new-migration":
        path = new_migration(" ".join(args.name))
        print(f"created {path} (and {path.stem}.rollback.sql)")
        return 0
    if args.command == "stop":
        return stop()
    with embedded.leave_as_found(*_embedded_dirs()):
        if args.command == "migrate":
            return migrate()
        if args.command == "schema":
            return schema(check=args.check)
        return psql(args.role, psql_args)


if __name__ == "__main__":
    run(main)
