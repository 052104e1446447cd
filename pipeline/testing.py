"""Running the code location's assets in tests: against the test database, with `t.clock`."""

import asyncio
from collections.abc import Sequence
from typing import Any

import dagster as dg

from database.testing.fixture import T
from pipeline.resources import PipelineDatabase


def resources_for(t: T) -> dict[str, Any]:
    """The resources of `pipeline.definitions`, pointed at the test database and clock."""
    return {"database": PipelineDatabase(url=t.db.target.pipeline.render()), "clock": t.clock}


async def materialize(
    t: T, assets: Sequence[Any], *, resources: dict[str, Any] | None = None, **kwargs: Any
) -> dg.ExecuteInProcessResult:
    """`dg.materialize` in a thread: each asset runs its own event loop, which the test's loop
    (already running) would refuse. `resources` adds to (or replaces) `resources_for(t)`.
    Failures are returned, not raised."""
    every = resources_for(t) | (resources or {})
    return await asyncio.to_thread(dg.materialize, assets, resources=every, raise_on_error=False, **kwargs)
