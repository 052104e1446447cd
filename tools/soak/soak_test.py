"""The soak itself, for 60 seconds (SOAK_TEST_SECONDS): two `just serve` processes through
PgBouncer in transaction mode, a realistic mix from six tenants, a PostgreSQL restart in the
middle; no 5xx outside the outage, 503 inside it, no tenant's data in another's answers, no
growth, the database's invariants after it. Skipped, saying why, where PgBouncer is missing."""

from __future__ import annotations

import asyncio
import os

import pytest

from database.testing import pgbouncer
from tools.soak.run import Options, soak

SECONDS = float(os.environ.get("SOAK_TEST_SECONDS", "60"))


@pytest.mark.soak
async def test_the_soak_finds_no_leak_no_5xx_outside_the_outage_and_no_growth() -> None:
    if pgbouncer.executable() is None:
        pytest.skip(pgbouncer.SKIP_REASON)
    report = await asyncio.to_thread(soak, Options(duration=SECONDS))
    print(report.render())
    assert report.problems == [], report.render()
    tally = report.tally
    assert tally.leaks == []
    assert tally.outage_503 > 0  # the restart was seen, and answered 503
    assert sum(tally.requests.values()) > 500
    for route in ("auth.login", "orgs.rename", "members.invite", "members.list", "demo.count"):
        assert tally.requests[route] > 0, route
    opened, dropped, _ = report.streams
    assert opened > 0 and dropped > 0
    assert any(kind.startswith("4xx invalid_input") for kind in tally.kinds)
    assert {g.what for g in report.growths} >= {
        "RSS of server 1 (MB)",
        "RSS of server 2 (MB)",
        "PostgreSQL backends of the apps (max over the run)",
        "PgBouncer server connections (max over the run)",
        "PgBouncer client connections (max over the run)",
    }
    assert len(report.invariants) == 4
    assert report.delivered_mail > 0
