import asyncio

import pytest

from database.testing.fixture import T
from pipeline.resources import PipelineDatabase, UnsafePipelineRole


async def test_it_connects_as_the_pipeline_role_in_one_transaction(t: T) -> None:
    database = PipelineDatabase(url=t.db.target.pipeline.render())

    async def who(conn) -> tuple[str, bool]:
        first = await conn.fetchval("SELECT now()")
        await asyncio.sleep(0.01)
        return await conn.fetchval("SELECT current_user"), await conn.fetchval("SELECT now()") == first

    assert await asyncio.to_thread(database.run, who) == ("blossom_pipeline", True)  # one transaction: one now()


async def test_a_failure_rolls_the_whole_step_back(t: T) -> None:
    org = await t.factory.org()
    database = PipelineDatabase(url=t.db.target.pipeline.render())

    async def half_then_fail(conn) -> None:
        await conn.execute(
            "INSERT INTO analytics.org_daily_activity (org_id, day, signups, logins, active_members,"
            " invites_sent, invites_accepted, materialized_at) VALUES ($1, '2026-01-01', 0, 0, 0, 0, 0, now())",
            org.id,
        )
        raise RuntimeError("midway")

    with pytest.raises(RuntimeError, match="midway"):
        await asyncio.to_thread(database.run, half_then_fail)
    async with t.db.owner.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM analytics.org_daily_activity") == 0


async def test_a_role_that_bypasses_rls_is_refused(t: T) -> None:
    database = PipelineDatabase(url=t.db.target.owner.render())
    with pytest.raises(UnsafePipelineRole, match="refusing to run the pipeline as role 'blossom_owner'"):
        await asyncio.to_thread(database.run, lambda conn: conn.fetchval("SELECT 1"))
