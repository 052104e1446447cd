"""The golden module run against PostgreSQL: every type goes in and comes back unchanged."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import asyncpg
import msgspec
import pytest

from database.connect import connect
from database.target import DatabaseTarget
from tools.codegen_db.testdata import queries as q
from tools.codegen_db.testdata.models import Settings

SCHEMA = Path(__file__).parent / "testdata" / "schema.sql"
WHEN = dt.datetime(2026, 5, 17, 8, 30, 15, 123456, tzinfo=dt.UTC)


@pytest.fixture
async def conn(scratch_database: DatabaseTarget) -> AsyncIterator[asyncpg.Connection]:
    connection = await connect(scratch_database.owner)
    try:
        await connection.execute(SCHEMA.read_text())
        yield connection
    finally:
        await connection.close()


def _full_values(id: str = "full", **overrides: object) -> dict:
    values: dict = dict(
        id=id,
        label="everything",
        nickname="evvy",
        email="Someone@Example.TEST",
        handle="Handle",
        small=7,
        count=42,
        big=2**40,
        ratio=0.25,
        amount=Decimal("1234.50"),
        flag=True,
        happened_at=WHEN,
        day=dt.date(2026, 2, 28),
        pause=dt.timedelta(hours=1, seconds=3),
        token=uuid.UUID(int=7),
        blob=b"\x00\xff",
        feeling="so-so",
        old_feeling="sad",
        tags=["a", "b"],
        scores=[1, 2, 3],
        settings=Settings(theme="dark"),
        extra={"nested": [1, {"x": None}]},
        legacy=[True, "s"],
    )
    values.update(overrides)
    return values


async def _insert_full(conn: asyncpg.Connection, id: str = "full", **overrides: object) -> None:
    await q.insert_sink(conn, **_full_values(id, **overrides))


async def test_every_type_round_trips(conn: asyncpg.Connection) -> None:
    await _insert_full(conn)
    row = await q.get_sink(conn, id="full")
    assert row == q.KitchenSink(**_full_values())
    assert row is not None
    assert row.settings.volume == 5  # the Struct default filled in on decode
    assert row.happened_at.tzinfo is not None


async def test_nullable_columns_come_back_as_none(conn: asyncpg.Connection) -> None:
    nulls = dict.fromkeys(
        [
            "nickname",
            "handle",
            "big",
            "ratio",
            "day",
            "pause",
            "token",
            "blob",
            "old_feeling",
            "scores",
            "extra",
            "legacy",
        ]
    )
    await _insert_full(conn, id="sparse", **nulls)
    row = await q.get_sink(conn, id="sparse")
    assert row is not None
    for name in nulls:
        assert getattr(row, name) is None, name


async def test_one_returns_none_when_no_row_matches(conn: asyncpg.Connection) -> None:
    assert await q.get_sink(conn, id="missing") is None


async def test_many_filters_with_enum_and_optional_parameters(conn: asyncpg.Connection) -> None:
    await _insert_full(conn, id="a", feeling="happy", tags=["red"])
    await _insert_full(conn, id="b", feeling="happy", tags=["blue"], extra=None)
    await _insert_full(conn, id="c", feeling="sad")
    assert [r.id for r in await q.list_by_feeling(conn, feeling="happy")] == ["a", "b"]
    rows = await q.list_by_feeling(conn, feeling="happy", tag="blue")
    assert rows == [q.ListByFeelingRow(id="b", label="everything", feeling="happy", tags=["blue"], extra=None)]


async def test_aggregates_are_nullable_on_an_empty_table(conn: asyncpg.Connection) -> None:
    assert await q.summary(conn) == q.SummaryRow(rows=0, top_amount=None, total_count=None, by_label=None)
    await _insert_full(conn, id="x", label="x", count=2)
    await _insert_full(conn, id="y", label="y", count=3, amount=Decimal("9.99"))
    assert await q.summary(conn) == q.SummaryRow(
        rows=2, top_amount=Decimal("1234.50"), total_count=5, by_label={"x": 2, "y": 3}
    )


async def test_execrows_counts_and_exec_returns_nothing(conn: asyncpg.Connection) -> None:
    await _insert_full(conn, id="a", label="old")
    await _insert_full(conn, id="b", label="old")
    assert await q.rename_sinks(conn, new_label="new", old_label="old") == 2
    assert await q.rename_sinks(conn, new_label="new", old_label="old") == 0
    assert await q.ping(conn) is None


async def test_typed_json_is_validated_on_the_way_out(conn: asyncpg.Connection) -> None:
    await _insert_full(conn, id="bad")
    await conn.execute("""UPDATE kitchen_sink SET settings = '{"volume": "loud"}' WHERE id = 'bad'""")
    with pytest.raises(msgspec.ValidationError, match=r"\$\.volume"):
        await q.get_sink(conn, id="bad")
