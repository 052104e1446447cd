"""Test databases: built once per migration set, cloned per worker, reset per test.

- The template `blossom_test_tpl_<fingerprint>` is the migrated schema, keyed by a hash of the
  migrations and this harness's reset function. Building it is serialised across processes by
  an advisory lock; it is built under a temporary name and renamed when complete, so a crash
  midway never leaves a half-built template behind.
- Each worker process clones the template into its own database (`CREATE DATABASE … TEMPLATE`).
- Before each test, `blossom_test.reset()` truncates the tables that hold rows, in one round trip.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
from psycopg import sql

from database import embedded
from database.migrate import apply_migrations, migrations_fingerprint
from database.provision import (
    MAINTENANCE_DATABASE,
    admin_connect,
    database_exists,
    drop_database,
    ensure_database,
    ensure_memberships,
    ensure_roles,
)
from database.target import DatabaseTarget, PgUrl, target_from_admin_url
from foundation.settings import load_settings

DATABASE_PREFIX = "blossom_test_"
_LOCK_KEY = 0x0B10550  # advisory lock id for template builds

# Installed into every template (outside `public`, so the schema dump and lint ignore it).
RESET_SQL = """
CREATE SCHEMA blossom_test;
CREATE FUNCTION blossom_test.reset() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tables text[] := '{}';
    rel record;
    has_rows boolean;
BEGIN
    FOR rel IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace::regnamespace::text IN ('public', 'analytics') AND c.relkind IN ('r', 'p')
          AND c.relname NOT LIKE '\\_yoyo%' AND c.relname <> 'yoyo_lock'
    LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', rel.name) INTO has_rows;
        IF has_rows THEN
            tables := tables || rel.name::text;
        END IF;
    END LOOP;
    IF cardinality(tables) > 0 THEN
        EXECUTE 'TRUNCATE ' || array_to_string(tables, ', ') || ' CASCADE';
    END IF;
END
$$;
"""


def cluster_dir_for_tests() -> Path:
    """The embedded test cluster's folder: `postgres-test` beside the development cluster, in
    BLOSSOM_DATA_DIR (`.blossom/` by default)."""
    return load_settings().data_dir / "postgres-test"


def template_name() -> str:
    digest = hashlib.sha256((migrations_fingerprint() + RESET_SQL).encode()).hexdigest()[:16]
    return f"{DATABASE_PREFIX}tpl_{digest}"


def server_admin_url() -> tuple[PgUrl, bool]:
    """The server tests run on: TEST_DATABASE_URL, else DATABASE_URL, else the embedded test cluster."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return PgUrl.parse(url).with_database(MAINTENANCE_DATABASE), False
    server = embedded.ensure_running(cluster_dir_for_tests(), settings=embedded.FAST_UNSAFE_SETTINGS)
    return PgUrl.parse(server.url(MAINTENANCE_DATABASE)), True


def _drop_orphans(conn: psycopg.Connection, keep_template: str) -> None:
    """Drop worker databases of processes that died and templates of older migration sets."""
    names = [
        row[0]
        for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (DATABASE_PREFIX + "%",))
    ]
    for name in names:
        match = re.fullmatch(rf"{DATABASE_PREFIX}w(\d+)_.*", name)
        orphan = match is not None and not psutil.pid_exists(int(match.group(1)))
        stale_template = name.startswith(f"{DATABASE_PREFIX}tpl_") and name != keep_template
        if orphan or stale_template:
            with contextlib.suppress(psycopg.Error):  # in use by a concurrent run: leave it for later
                drop_database(conn, name)


def ensure_template(admin: PgUrl) -> str:
    name = template_name()
    with admin_connect(admin) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            if database_exists(conn, name):
                return name
            ensure_roles(conn)
            ensure_memberships(conn)
            building = f"{name}_building"
            drop_database(conn, building)
            ensure_database(conn, building)
            target = target_from_admin_url(admin.with_database(building), embedded=False)
            apply_migrations(target)
            with admin_connect(target.owner) as owner:
                owner.execute(RESET_SQL)
            conn.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building), sql.Identifier(name))
            )
            _drop_orphans(conn, keep_template=name)
            return name
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))


@dataclass(frozen=True)
class WorkerDatabase:
    target: DatabaseTarget
    maintenance: PgUrl

    def drop(self) -> None:
        with admin_connect(self.maintenance) as conn:
            drop_database(conn, self.target.admin.database)


def create_worker_database(worker: str) -> WorkerDatabase:
    """A fresh clone of the template for this process (`worker`: the xdist worker id or `main`)."""
    admin, _ = server_admin_url()
    template = ensure_template(admin)
    name = f"{DATABASE_PREFIX}w{os.getpid()}_{re.sub(r'[^a-z0-9]', '', worker.lower())}"
    with admin_connect(admin) as conn:
        drop_database(conn, name)
        ensure_database(conn, name, template=template)
    return WorkerDatabase(target=target_from_admin_url(admin.with_database(name), embedded=False), maintenance=admin)
