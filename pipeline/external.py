"""Resources for the services outside Blossom: Dagster `ConfigurableResource`s that build the
`foundation.external` facades (and the LLM cache) from their own fields, never from the
process environment behind Dagster's back. `definitions.py` fills them with `dg.EnvVar`; tests
point them at the fakes in `foundation/testing/fakes/`.

Each client is made inside the step's own event loop (`asyncio.run`), used, and closed there.
"""

from pathlib import Path

import dagster as dg

from foundation.external.errors import ExternalError, ExternalRateLimited, ExternalRejected, ExternalUnavailable
from foundation.external.llm_cache import DirectoryStore, LLMCache, LLMCacheMiss, MemoryStore
from foundation.external.openai import OpenAIClient
from foundation.external.settings import ExternalSettings, load_external_settings
from foundation.external.sheets import SheetsClient
from foundation.external.slack import SlackClient


class _Retries(dg.ConfigurableResource):
    """Retry knobs shared by every client (unset: the facades' defaults)."""

    max_retries: int | None = None
    backoff_cap_seconds: float | None = None
    retry_after_cap_seconds: float | None = None

    def _settings(self, prefix: str, **values: str | None) -> ExternalSettings:
        environ = {
            f"{prefix}_MAX_RETRIES": self.max_retries,
            "EXTERNAL_BACKOFF_CAP_SECONDS": self.backoff_cap_seconds,
            "EXTERNAL_RETRY_AFTER_CAP_SECONDS": self.retry_after_cap_seconds,
            **values,
        }
        return load_external_settings({name: str(value) for name, value in environ.items() if value is not None})


class LLMResource(_Retries):
    """OpenAI (or a compatible provider at `base_url`) through the LLM cache: `record` calls out
    on a miss and keeps the answer in `cache_dir`, so a rerun replays it; `replay` never calls
    out (a miss fails the run); `off` always calls."""

    api_key: str | None = None
    base_url: str | None = None
    model: str | None = None
    timeout_seconds: float | None = None
    cache_mode: str = "record"
    cache_dir: str | None = None

    def client(self) -> LLMCache:
        settings = self._settings(
            "OPENAI",
            OPENAI_API_KEY=self.api_key,
            OPENAI_BASE_URL=self.base_url,
            OPENAI_MODEL=self.model,
            OPENAI_TIMEOUT_SECONDS=None if self.timeout_seconds is None else str(self.timeout_seconds),
            LLM_CACHE_MODE=self.cache_mode,
        )
        store = DirectoryStore(Path(self.cache_dir)) if self.cache_dir else MemoryStore()
        return LLMCache(OpenAIClient(settings), store, settings.cache_mode)


class SlackResource(_Retries):
    """Slack as a bot; `channel` receives the digest and the run-failure alerts."""

    bot_token: str | None = None
    base_url: str | None = None
    channel: str = "#blossom-analytics"

    def client(self) -> SlackClient:
        return SlackClient(self._settings("SLACK", SLACK_BOT_TOKEN=self.bot_token, SLACK_BASE_URL=self.base_url))


class SheetsResource(_Retries):
    """Google Sheets as a service account; `spreadsheet_id` is the metrics spreadsheet (shared
    with the service account)."""

    service_account_file: str | None = None
    base_url: str | None = None
    spreadsheet_id: str | None = None

    def client(self) -> SheetsClient:
        return SheetsClient(
            self._settings(
                "SHEETS", GOOGLE_SERVICE_ACCOUNT_FILE=self.service_account_file, SHEETS_BASE_URL=self.base_url
            )
        )


def failure(what: str, error: Exception, consequence: str) -> dg.Failure:
    """A run failure whose first line says which service failed how, and what was kept."""
    if isinstance(error, LLMCacheMiss):
        kind = "the LLM cache has no answer (replay mode)"
    elif isinstance(error, ExternalRateLimited):
        later = f", retry after {error.retry_after:g} s" if error.retry_after is not None else ""
        kind = f"{error.service} kept rate-limiting{later}"
    elif isinstance(error, ExternalUnavailable):
        kind = f"{error.service} is unavailable"
    elif isinstance(error, ExternalRejected):
        field = f" at {error.field}" if error.field else ""
        kind = f"{error.service} rejected the request ({error.reason}{field})"
    elif isinstance(error, ExternalError):
        kind = f"{error.service} failed"
    else:
        kind = type(error).__name__
    return dg.Failure(description=f"{what}: {kind}: {error}. {consequence}", metadata={"error": type(error).__name__})
