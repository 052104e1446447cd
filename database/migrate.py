"""Apply the yoyo migrations in database/migrations/ as the owner role.

Each migration runs in its own transaction: a failing one leaves the database at the last
migration that succeeded, and the error names the migration and the statement that failed.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import psycopg
from yoyo import get_backend, read_migrations
from yoyo.migrations import MigrationList

from database.connect import unreachable
from database.target import APP_ROLE, VERSION_TABLE, DatabaseTarget
from foundation.errors import ConfigurationError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class MigrationFailed(ConfigurationError):
    pass


class _LastStatement(logging.Handler):
    """Remembers what yoyo was doing, so a failure can name the migration and statement."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.migration: str | None = None
        self.statement: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "Applying %s":
            self.migration, self.statement = str(record.args[0]) if record.args else None, None  # type: ignore[index]
        elif record.msg == " - executing %r" and record.args:
            raw = record.args[0]  # type: ignore[index]
            self.statement = raw.decode() if isinstance(raw, bytes) else str(raw)


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.sql") if not p.name.endswith(".rollback.sql"))


def migrations_fingerprint() -> str:
    """A hash of every migration file (forward and rollback): the test template's key."""
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _yoyo_url(target: DatabaseTarget) -> str:
    return target.owner.render(scheme="postgresql+psycopg")


def apply_migrations(target: DatabaseTarget, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; returns the ids applied, oldest first."""
    try:
        backend = get_backend(_yoyo_url(target))
    except psycopg.OperationalError as exc:
        raise unreachable(target.owner, str(exc).strip().splitlines()[-1]) from exc
    migrations: MigrationList = read_migrations(str(directory))
    tracker = _LastStatement()
    yoyo_log = logging.getLogger("yoyo.migrations")  # noqa: TID251 (yoyo's own stdlib logger)
    saved_level = yoyo_log.level
    yoyo_log.addHandler(tracker)
    yoyo_log.setLevel(logging.DEBUG)
    try:
        with backend.lock():
            pending = backend.to_apply(migrations)
            try:
                backend.apply_migrations(pending)
            except psycopg.Error as exc:
                raise MigrationFailed(
                    f"migration {tracker.migration} failed; the database stays at the previous version.\n"
                    f"statement: {(tracker.statement or '?').strip()}\n"
                    f"error: {str(exc).strip()}"
                ) from exc
            # The apps report the schema version on their health route.
            backend.execute(f"GRANT SELECT ON {VERSION_TABLE} TO {APP_ROLE}")
        return [m.id for m in pending]
    finally:
        yoyo_log.removeHandler(tracker)
        yoyo_log.setLevel(saved_level)
        backend.connection.close()


def new_migration(name: str, directory: Path = MIGRATIONS_DIR) -> Path:
    """Create the next numbered migration file, chained to the newest one with `-- depends:`."""
    slug = "".join(c if c.isalnum() else "_" for c in name.strip().lower()).strip("_")
    if not slug:
        raise ValueError("a migration needs a name, such as `add_invoices`")
    existing = migration_files(directory)
    number = int(existing[-1].name.split("_", 1)[0]) + 1 if existing else 1
    depends = existing[-1].stem if existing else ""
    path = directory / f"{number:04d}_{slug}.sql"
    path.write_text(f"-- {name.strip()}\n-- depends: {depends}\n\n")
    path.with_name(path.stem + ".rollback.sql").write_text(f"-- Undo {path.stem}.\n")
    return path
