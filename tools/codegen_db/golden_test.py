"""Golden test: the generator's output over a fixture that covers every type and annotation.

Set BLOSSOM_UPDATE_GOLDEN=1 to rewrite testdata/queries.py after an intended generator change.
"""

import os
from pathlib import Path

import pytest

from tools.codegen_db.run import Entry, run_sqlc

TESTDATA = Path(__file__).parent / "testdata"


@pytest.fixture
def generated(tmp_path: Path) -> str:
    run_sqlc([Entry(TESTDATA / "queries.sql", tmp_path)], TESTDATA / "schema.sql")
    return (tmp_path / "queries.py").read_text()


def test_generated_module_matches_the_golden_file(generated: str) -> None:
    golden = TESTDATA / "queries.py"
    if os.environ.get("BLOSSOM_UPDATE_GOLDEN"):
        golden.write_text(generated)
    assert generated == golden.read_text(), "generator output changed: review, then BLOSSOM_UPDATE_GOLDEN=1"


def test_types_and_nullability(generated: str) -> None:
    for line in [
        "class KitchenSink(msgspec.Struct, frozen=True):",
        "    nickname: str | None",
        "    email: str",  # a citext domain
        "    amount: Decimal",
        "    happened_at: datetime.datetime",
        "    day: datetime.date | None",
        "    pause: datetime.timedelta | None",
        "    token: uuid.UUID | None",
        "    blob: bytes | None",
        "    feeling: Mood",
        "    old_feeling: Mood | None",
        "    tags: list[str]",
        "    scores: list[int] | None",
        "    settings: Settings",
        "    extra: JsonValue | None",
        'Mood = Literal["happy", "sad", "so-so"]',
        "    rows: int",  # vouched for by -- not-null
        "    top_amount: Decimal | None",  # an aggregate: nullable
        "    total_count: int | None",  # a cast: nullable
        "    by_label: dict[str, int] | None",
        "async def get_sink(conn: DbConnection, *, id: str) -> KitchenSink | None:",
        "async def rename_sinks(conn: DbConnection, *, new_label: str, old_label: str) -> int:",
        "async def ping(conn: DbConnection) -> None:",
    ]:
        assert line in generated, line
    assert "tag: str | None = None" in generated
