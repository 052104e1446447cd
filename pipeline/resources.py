"""The code location's resources: the database as blossom_pipeline, and the clock.

Assets are synchronous (Dagster runs each in its own process step); a database step opens one
connection through `database/`, runs one transaction and closes it, inside its own event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import dagster as dg

from database.connect import PgConnection, create_pool
from database.target import PIPELINE_ROLE, PgUrl
from database.tx import transaction
from foundation.errors import ConfigurationError

T = TypeVar("T")

DATABASE_URL_VARIABLE = "PIPELINE_DATABASE_URL"

_ROLE_CHECK = "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"


class UnsafePipelineRole(ConfigurationError):
    pass


class PipelineDatabase(dg.ConfigurableResource):
    """PostgreSQL as the pipeline's role (`PIPELINE_DATABASE_URL`; `just materialize` sets it to
    the development database's). It reads every organization's rows, under RLS, and writes only
    the analytics schema; a role that could bypass RLS is refused."""

    url: str

    def run(self, work: Callable[[PgConnection], Awaitable[T]]) -> T:
        """`work(conn)` in one transaction: committed when it returns, rolled back when it raises."""
        return asyncio.run(self._run(work))

    async def _run(self, work: Callable[[PgConnection], Awaitable[T]]) -> T:
        pool = await create_pool(PgUrl.parse(self.url), min_size=1, max_size=1)
        try:
            async with pool.acquire() as conn:
                row = await conn.fetchrow(_ROLE_CHECK)
            if row is None or row["rolsuper"] or row["rolbypassrls"]:
                name = row["rolname"] if row else "?"
                raise UnsafePipelineRole(
                    f"refusing to run the pipeline as role {name!r}, which bypasses row-level security: "
                    f"point {DATABASE_URL_VARIABLE} at the {PIPELINE_ROLE} role"
                )
            async with transaction(pool) as conn:
                return await work(conn)
        finally:
            await pool.close()


def database_from_env() -> PipelineDatabase:
    return PipelineDatabase(url=dg.EnvVar(DATABASE_URL_VARIABLE))
