import shutil
from pathlib import Path

import psycopg
import pytest
from yoyo import get_backend, read_migrations

from database.migrate import MIGRATIONS_DIR, MigrationFailed, apply_migrations, migration_files, new_migration
from database.provision import admin_connect
from database.target import DatabaseTarget


def _copy_migrations(tmp_path: Path) -> Path:
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory)
    return directory


def _version(target: DatabaseTarget) -> str | None:
    with admin_connect(target.owner) as conn:
        row = conn.execute("SELECT max(migration_id) FROM _yoyo_migration").fetchone()
        return row[0] if row else None


def _table_exists(target: DatabaseTarget, name: str) -> bool:
    with admin_connect(target.owner) as conn:
        return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone() == (True,)


def test_migrations_apply_once(scratch_database: DatabaseTarget) -> None:
    applied = apply_migrations(scratch_database)
    assert applied == [p.stem for p in migration_files()]
    assert apply_migrations(scratch_database) == []
    assert _version(scratch_database) == migration_files()[-1].stem


def test_a_failing_migration_leaves_the_previous_version_and_names_the_statement(
    scratch_database: DatabaseTarget, tmp_path: Path
) -> None:
    directory = _copy_migrations(tmp_path)
    last = migration_files(directory)[-1].stem
    (directory / "0099_broken.sql").write_text(
        f"-- depends: {last}\n"
        "CREATE TABLE half_done (id text PRIMARY KEY);\n"
        "INSERT INTO half_done (id) VALUES ('a'), ('a');\n"
    )
    with pytest.raises(MigrationFailed) as failure:
        apply_migrations(scratch_database, directory)
    message = str(failure.value)
    assert "migration 0099_broken failed" in message
    assert "INSERT INTO half_done (id) VALUES ('a'), ('a')" in message
    assert "duplicate key" in message
    assert _version(scratch_database) == last
    assert not _table_exists(scratch_database, "half_done")


def test_new_migration_is_numbered_and_chained(scratch_database: DatabaseTarget, tmp_path: Path) -> None:
    directory = _copy_migrations(tmp_path)
    previous = migration_files(directory)[-1]
    path = new_migration("Add invoices!", directory)
    assert path.name == f"{int(previous.name[:4]) + 1:04d}_add_invoices.sql"
    assert f"-- depends: {previous.stem}" in path.read_text()
    assert (directory / f"{path.stem}.rollback.sql").exists()
    path.write_text(path.read_text() + "CREATE TABLE invoices_probe (id text);\n")
    assert apply_migrations(scratch_database, directory)[-1] == path.stem


def test_every_migration_rolls_back_cleanly(scratch_database: DatabaseTarget) -> None:
    apply_migrations(scratch_database)
    backend = get_backend(scratch_database.owner.render(scheme="postgresql+psycopg"))
    try:
        migrations = read_migrations(str(MIGRATIONS_DIR))
        with backend.lock():
            backend.rollback_migrations(backend.to_rollback(migrations))
    finally:
        backend.connection.close()
    with admin_connect(scratch_database.owner) as conn:
        leftovers = conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
            " AND relname NOT LIKE '\\_yoyo%%' AND relname <> 'yoyo_lock'"
        ).fetchall()
        analytics = conn.execute("SELECT to_regnamespace('analytics')").fetchone()
    assert leftovers == []
    assert analytics == (None,)


def test_unreachable_server_is_one_clear_line() -> None:
    from database.migrate import apply_migrations as apply
    from database.target import PgUrl, target_from_admin_url

    target = target_from_admin_url(PgUrl.parse("postgresql://postgres@127.0.0.1:1/nowhere"), embedded=False)
    with pytest.raises(Exception, match=r"cannot reach PostgreSQL at 127\.0\.0\.1:1") as failure:
        apply(target)
    assert "\n" not in str(failure.value)
    assert not isinstance(failure.value, psycopg.Error)
