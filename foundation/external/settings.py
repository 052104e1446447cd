"""Settings of the external clients, read from the environment when a client is first built.

Credentials are optional here: an app that never calls Slack needs no token. A client that needs
one asks for it at its first call (`require_*`), which raises `ConfigurationError` with one line
naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, field

from foundation.errors import ConfigurationError
from foundation.settings_reader import Secret, min_length, read_settings

LLMCacheMode = Literal["record", "replay", "off"]


class ExternalSettings(msgspec.Struct, frozen=True, kw_only=True):
    # Read from the environment by foundation.settings_reader: each field's variable is its name
    # upper-cased or the field's `name` (they match case-insensitively).

    # OpenAI, or any OpenAI-compatible provider (Groq, a local server) at OPENAI_BASE_URL.
    openai_api_key: Secret | None = None
    openai_base_url: str = "https://api.openai.com/v1"
    openai_model: Annotated[str, Meta(min_length=1)] = "gpt-4o-mini"
    openai_embedding_model: Annotated[str, Meta(min_length=1)] = "text-embedding-3-small"
    openai_timeout_seconds: Annotated[float, Meta(gt=0, le=600)] = 60.0
    openai_max_retries: Annotated[int, Meta(ge=0, le=10)] = 3
    # Slack: a bot token (xoxb-...) with chat:write.
    slack_bot_token: Secret | None = None
    slack_base_url: str = "https://slack.com/api/"
    slack_timeout_seconds: Annotated[float, Meta(gt=0, le=300)] = 10.0
    slack_max_retries: Annotated[int, Meta(ge=0, le=10)] = 3
    # Google Sheets: the JSON key of a service account the spreadsheets are shared with.
    google_service_account_file: Path | None = None
    sheets_base_url: str = "https://sheets.googleapis.com/v4/spreadsheets"
    sheets_timeout_seconds: Annotated[float, Meta(gt=0, le=300)] = 30.0
    sheets_max_retries: Annotated[int, Meta(ge=0, le=10)] = 3
    # Retries of every client: exponential backoff with full jitter, at most this long between
    # attempts; a Retry-After longer than EXTERNAL_RETRY_AFTER_CAP_SECONDS is not waited for (the
    # call fails with ExternalRateLimited carrying it, for the caller to reschedule).
    external_backoff_cap_seconds: Annotated[float, Meta(gt=0, le=300)] = 8.0
    external_retry_after_cap_seconds: Annotated[float, Meta(ge=0, le=3600)] = 30.0
    # The LLM cache (foundation/external/llm_cache.py): record, replay or off, and where it keeps
    # its answers. Unset: replay under BLOSSOM_ENV=test (a miss is an error naming the request,
    # never a network call), off elsewhere. Read `cache_mode`, not this.
    llm_cache_mode: LLMCacheMode | None = None
    llm_cache_dir: Path | None = None
    environment: Literal["development", "test", "production"] = field(default="development", name="BLOSSOM_ENV")

    @property
    def cache_mode(self) -> LLMCacheMode:
        if self.llm_cache_mode is not None:
            return self.llm_cache_mode
        return "replay" if self.environment == "test" else "off"

    def require_openai_key(self) -> str:
        if self.openai_api_key is None:
            raise ConfigurationError("OPENAI_API_KEY is not set: the OpenAI client needs an API key")
        return self.openai_api_key.get_secret_value()

    def require_slack_token(self) -> str:
        if self.slack_bot_token is None:
            raise ConfigurationError("SLACK_BOT_TOKEN is not set: the Slack client needs a bot token (xoxb-...)")
        return self.slack_bot_token.get_secret_value()

    def require_service_account_file(self) -> Path:
        path = self.google_service_account_file
        if path is None:
            raise ConfigurationError(
                "GOOGLE_SERVICE_ACCOUNT_FILE is not set: the Sheets client needs a service account's JSON key"
            )
        if not path.is_file():
            raise ConfigurationError(f"GOOGLE_SERVICE_ACCOUNT_FILE: no such file {str(path)!r}")
        return path


_CHECKS = {"openai_api_key": min_length(1), "slack_bot_token": min_length(1)}


def load_external_settings(environ: Mapping[str, str] | None = None) -> ExternalSettings:
    """Read the external settings from `environ` (default: the process environment); one
    `ConfigurationError` names every invalid variable."""
    return read_settings(ExternalSettings, os.environ if environ is None else environ, _CHECKS)
