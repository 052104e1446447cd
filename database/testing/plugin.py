"""pytest plugin: the `t` fixture and the test database lifecycle (registered in the root conftest).

The embedded test cluster is started on demand by the first worker that needs it and stopped by
the controlling pytest process at the end, unless it was already running when pytest started.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from database import embedded
from database.provision import admin_connect, drop_database, provision
from database.target import DatabaseTarget, PgUrl, target_from_admin_url
from database.testing import pgbouncer
from database.testing.fixture import T, TestDatabaseHandles, make_t, open_handles
from database.testing.harness import WorkerDatabase, cluster_dir_for_tests, create_worker_database

_STARTED_KEY = pytest.StashKey[bool]()


def _uses_embedded() -> bool:
    return not (os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL"))


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controlling process, not an xdist worker
        config.stash[_STARTED_KEY] = _uses_embedded() and not embedded.is_running(cluster_dir_for_tests())


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_STARTED_KEY, False):
        embedded.stop(cluster_dir_for_tests())


@pytest.fixture(scope="session")
def worker_database() -> Iterator[WorkerDatabase]:
    database = create_worker_database(os.environ.get("PYTEST_XDIST_WORKER", "main"))
    yield database
    database.drop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def database_handles(worker_database: WorkerDatabase) -> AsyncIterator[TestDatabaseHandles]:
    async for handles in open_handles(worker_database.target):
        yield handles


@pytest_asyncio.fixture(loop_scope="session")
async def t(database_handles: TestDatabaseHandles) -> T:
    """Factories (`t.factory`), database handles (`t.db.owner`, `t.db.app`, `t.db.tenant(...)`)
    and a clock (`t.clock`), on a database that holds no other test's rows."""
    return await make_t(database_handles)


@pytest.fixture(scope="session")
def pooler(worker_database: WorkerDatabase) -> Iterator[PgUrl]:
    """A transaction-mode PgBouncer in front of this worker's database, holding at most 3 server
    connections per role: the application role's URL through it. Skipped, saying why, where
    PgBouncer is not installed (CI installs it)."""
    if pgbouncer.executable() is None:
        pytest.skip(pgbouncer.SKIP_REASON)
    with pgbouncer.pgbouncer(worker_database.target.app, pool_size=3) as url:
        yield url


@pytest.fixture
def scratch_database(worker_database: WorkerDatabase) -> Iterator[DatabaseTarget]:
    """An empty database with the roles in place and no migrations applied; dropped afterwards."""
    maintenance = worker_database.maintenance
    target = target_from_admin_url(
        maintenance.with_database(f"{worker_database.target.admin.database}_scratch"), embedded=False
    )
    with admin_connect(maintenance) as conn:
        drop_database(conn, target.admin.database)
    provision(target)
    yield target
    with admin_connect(maintenance) as conn:
        drop_database(conn, target.admin.database)
