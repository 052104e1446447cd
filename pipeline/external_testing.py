"""Resources pointing at the fakes of `foundation/testing/fakes/`, retrying fast."""

from pathlib import Path

import dagster as dg

from database.testing.fixture import T
from foundation.testing.fakes.openai import FakeOpenAI
from foundation.testing.fakes.sheets import FakeSheets
from foundation.testing.fakes.slack import FakeSlack
from pipeline.external import LLMResource, SheetsResource, SlackResource
from pipeline.testing import materialize

FAST = {"max_retries": 2, "backoff_cap_seconds": 0.001}
CHANNEL = "#analytics-test"
SPREADSHEET = "1MetricsSpreadsheetForTests"


def llm_for(fake: FakeOpenAI, cache_dir: Path, mode: str = "record") -> LLMResource:
    return LLMResource(
        api_key=fake.api_key, base_url=f"{fake.origin}/v1", cache_mode=mode, cache_dir=str(cache_dir), **FAST
    )


def slack_for(fake: FakeSlack) -> SlackResource:
    return SlackResource(bot_token=fake.token, base_url=f"{fake.origin}/api/", channel=CHANNEL, **FAST)


def sheets_for(fake: FakeSheets, directory: Path) -> SheetsResource:
    settings = fake.settings(directory)
    return SheetsResource(
        service_account_file=settings["GOOGLE_SERVICE_ACCOUNT_FILE"],
        base_url=settings["SHEETS_BASE_URL"],
        spreadsheet_id=SPREADSHEET,
        **FAST,
    )


async def materialize_with(t: T, assets: list, resources: dict, **kwargs) -> dg.ExecuteInProcessResult:
    """`materialize` with these resources added (an ephemeral instance unless `instance=`)."""
    kwargs.setdefault("instance", dg.DagsterInstance.ephemeral())
    return await materialize(t, assets, resources=resources, **kwargs)
