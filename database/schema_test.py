import pytest

from database.schema_dump import SCHEMA_FILE, dump_schema, normalise
from database.testing.fixture import T


async def test_committed_schema_sql_matches_the_migrations(t: T) -> None:
    major = int(await t.db.owner.fetchval("SHOW server_version_num")) // 10000
    if major != 18:
        pytest.skip(f"schema.sql is dumped from the embedded PostgreSQL 18; this server is {major}")
    fresh = dump_schema(t.db.target.owner)
    assert fresh == SCHEMA_FILE.read_text(), "database/schema.sql is stale: run `just migrate` and commit it"


def test_normalise_drops_what_varies_between_runs() -> None:
    dump = (
        "--\n-- Dumped from database version 18.6\n-- Dumped by pg_dump version 18.6\n"
        "\\restrict abc123\n\n\n\nCREATE TABLE x ();\n\\unrestrict abc123\n"
    )
    text = normalise(dump)
    assert "abc123" not in text and "Dumped" not in text
    assert text.endswith("CREATE TABLE x ();\n")
    assert "\n\n\n" not in text
