"""SQL column defaults and Python generate ids in one format that sorts by creation time."""

import asyncio
import re

import asyncpg
import pytest

from database.testing.fixture import T
from foundation.ids import id_pattern, new_id


async def test_sql_and_python_ids_share_the_format(t: T) -> None:
    sql_id = await t.db.owner.fetchval("SELECT app_new_id('usr')")
    assert re.fullmatch(id_pattern("usr"), sql_id)
    assert len(sql_id) == len(new_id("usr"))


async def test_ids_from_sql_and_python_interleave_in_creation_order(t: T) -> None:
    ids: list[str] = []
    for i in range(6):
        if i % 2:
            ids.append(new_id("org"))
        else:
            ids.append(await t.db.owner.fetchval("SELECT app_new_id('org')"))
        await asyncio.sleep(0.003)  # ids order to the millisecond; step past it
    assert ids == sorted(ids)


async def test_column_defaults_generate_valid_ids(t: T) -> None:
    org_id = await t.db.owner.fetchval("INSERT INTO orgs (name) VALUES ('Acme') RETURNING id")
    note_id = await t.db.owner.fetchval("INSERT INTO org_notes (org_id, body) VALUES ($1, 'x') RETURNING id", org_id)
    assert re.fullmatch(id_pattern("org"), org_id)
    assert re.fullmatch(id_pattern("note"), note_id)


@pytest.mark.parametrize(
    "bad_id",
    ["org_123", "usr_01jd8x3k5q9w2m7a4c6e8g0h1n", "org_01JD8X3K5Q9W2M7A4C6E8G0H1N", "org_01jd8x3k5q9w2m7a4c6e8g0h1nx"],
)
async def test_a_malformed_id_is_rejected_by_a_check(t: T, bad_id: str) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await t.db.owner.execute("INSERT INTO orgs (id, name) VALUES ($1, 'Bad')", bad_id)
