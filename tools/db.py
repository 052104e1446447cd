"""Database commands: migrate, schema, new-migration, psql, stop.

python -m tools.db migrate              roles + database + pending migrations, then schema.sql
python -m tools.db schema [--check]     regenerate (or verify) database/schema.sql
python -m tools.db new-migration NAME   next numbered migration file, chained with -- depends:
python -m tools.db psql [--as ROLE]     psql on the development database (owner|app|admin)
python -m tools.db stop                 stop the embedded servers (development and test)
"""

from __future__ import annotations

import argparse
import os
import sys

from database import embedded
from database.migrate import apply_migrations, new_migration
from database.provision import provision
from database.schema_dump import SCHEMA_FILE, dump_schema
from database.target import resolve_target
from database.testing.harness import TEST_DATA_DIR, ensure_template, server_admin_url
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


def psql(role: str) -> int:
    target = resolve_target(load_settings())
    url = {"owner": target.owner, "app": target.app, "admin": target.admin}[role]
    program = str(embedded.bin_path("psql"))
    os.execv(program, [program, url.render()])


def stop() -> int:
    settings = load_settings()
    for data_dir in (settings.data_dir / "postgres", TEST_DATA_DIR):
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
    psql_parser = commands.add_parser("psql", help="open psql on the development database")
    psql_parser.add_argument("--as", dest="role", choices=["owner", "app", "admin"], default="owner")
    commands.add_parser("stop", help="stop the embedded PostgreSQL servers")
    args = parser.parse_args(argv)
    if args.command == "migrate":
        return migrate()
    if args.command == "schema":
        return schema(check=args.check)
    if args.command == "new-migration":
        path = new_migration(" ".join(args.name))
        print(f"created {path} (and {path.stem}.rollback.sql)")
        return 0
    if args.command == "psql":
        return psql(args.role)
    return stop()


if __name__ == "__main__":
    run(main)
