"""database/schema.sql: the schema as migrations leave it, dumped from a migrated database.

Reviewers read it to see what a migration did; sqlc reads it to check queries. The dump is
normalised so that it depends only on the migrations: no version banners, no per-run keys.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from database.embedded import bin_path
from database.target import PgUrl
from foundation.errors import ConfigurationError

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.sql"
HEADER = "-- Generated from database/migrations by `just migrate` (python -m tools.db schema). Do not edit.\n"

_DROP_LINE = re.compile(r"^(\\restrict |\\unrestrict |-- Dumped (from|by) )")


def normalise(dump: str) -> str:
    lines = [line for line in dump.splitlines() if not _DROP_LINE.match(line)]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    return HEADER + "\n" + text


def dump_schema(url: PgUrl) -> str:
    """The normalised schema of the database at `url` (use the owner or an administrator)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    result = subprocess.run(
        [
            str(bin_path("pg_dump")),
            "--schema-only",
            "--no-owner",
            "--schema=public",
            "--schema=analytics",
            "--exclude-table=_yoyo_*",
            "--exclude-table=yoyo_lock",
            "--dbname",
            url.without_password().render(),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise ConfigurationError(f"pg_dump failed: {result.stderr.strip()}")
    return normalise(result.stdout)


def write_schema(url: PgUrl) -> bool:
    """Regenerate database/schema.sql; True when it changed."""
    fresh = dump_schema(url)
    if SCHEMA_FILE.exists() and SCHEMA_FILE.read_text() == fresh:
        return False
    SCHEMA_FILE.write_text(fresh)
    return True
