"""Bad SQL fails loudly, with sqlc's own message pointing at the file and line."""

from pathlib import Path

import pytest

from tools.codegen_db.run import CodegenFailed, Entry, run_sqlc

SCHEMA = Path(__file__).parent / "testdata" / "schema.sql"


def _generate(tmp_path: Path, sql: str) -> str:
    queries = tmp_path / "queries.sql"
    queries.write_text(sql)
    run_sqlc([Entry(queries, tmp_path / "out")], SCHEMA)
    return (tmp_path / "out" / "queries.py").read_text()


def test_a_missing_column_names_file_and_line(tmp_path: Path) -> None:
    sql = "-- name: Fine :one\nSELECT id FROM kitchen_sink;\n\n-- name: Broken :many\nSELECT nope FROM kitchen_sink;\n"
    with pytest.raises(CodegenFailed) as failure:
        _generate(tmp_path, sql)
    assert 'queries.sql:5:8: column "nope" does not exist' in str(failure.value)


def test_two_queries_with_one_name_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(CodegenFailed, match=r"queries\.sql:5:1: duplicate query name: Same"):
        _generate(
            tmp_path,
            "-- name: Same :one\nSELECT id FROM kitchen_sink;\n\n-- name: Same :many\nSELECT id FROM kitchen_sink;\n",
        )


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("-- name: Copy :copyfrom\nINSERT INTO kitchen_sink (id) VALUES ($1);", ":copyfrom is not supported"),
        ("-- name: Odd :one\n-- not-null: ghost\nSELECT id FROM kitchen_sink;", "directives name ['ghost']"),
        ("-- name: Odd :one\n-- json: settings = os.system\nSELECT settings FROM kitchen_sink;", "names ['os']"),
        ("-- name: Odd :one\n-- json: settings = Evil[str]\nSELECT settings FROM kitchen_sink;", "names ['Evil']"),
        ("-- name: Poly :one\nSELECT max(amount) AS m FROM kitchen_sink;", "cast it"),
    ],
)
def test_queries_the_generator_cannot_type_are_refused(tmp_path: Path, sql: str, message: str) -> None:
    with pytest.raises(CodegenFailed) as failure:
        _generate(tmp_path, sql)
    assert message in str(failure.value)
    assert "queries.sql: query" in str(failure.value)


def test_a_parameter_named_conn_does_not_clash_with_the_connection(tmp_path: Path) -> None:
    module = _generate(tmp_path, "-- name: ByConn :many\nSELECT id FROM kitchen_sink WHERE label = sqlc.arg(conn);\n")
    assert "async def by_conn(conn: DbConnection, *, conn_: str)" in module
