"""Settings of the external clients, read from the environment when a client is first built.

Credentials are optional here: an app that never calls Slack needs no token. A client that needs
one asks for it at its first call (`require_*`), which raises `ConfigurationError` with one line
naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from foundation.errors import ConfigurationError

LLMCacheMode = Literal["record", "replay", "off"]


class ExternalSettings(BaseModel):
    # A plain model over the environment (variable names upper-cased: they match case-insensitively).
    # Not pydantic-settings, whose import alone cost a serving worker a fifth of its start-up.
    model_config = ConfigDict(extra="ignore", frozen=True)

    # OpenAI, or any OpenAI-compatible provider (Groq, a local server) at OPENAI_BASE_URL.
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY", min_length=1)
    openai_base_url: str = Field("https://api.openai.com/v1", validation_alias="OPENAI_BASE_URL")
    openai_model: str = Field("gpt-4o-mini", validation_alias="OPENAI_MODEL", min_length=1)
    openai_embedding_model: str = Field(
        "text-embedding-3-small", validation_alias="OPENAI_EMBEDDING_MODEL", min_length=1
    )
    openai_timeout_seconds: float = Field(60.0, gt=0, le=600, validation_alias="OPENAI_TIMEOUT_SECONDS")
    openai_max_retries: int = Field(3, ge=0, le=10, validation_alias="OPENAI_MAX_RETRIES")
    # Slack: a bot token (xoxb-...) with chat:write.
    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN", min_length=1)
    slack_base_url: str = Field("https://slack.com/api/", validation_alias="SLACK_BASE_URL")
    slack_timeout_seconds: float = Field(10.0, gt=0, le=300, validation_alias="SLACK_TIMEOUT_SECONDS")
    slack_max_retries: int = Field(3, ge=0, le=10, validation_alias="SLACK_MAX_RETRIES")
    # Google Sheets: the JSON key of a service account the spreadsheets are shared with.
    google_service_account_file: Path | None = Field(None, validation_alias="GOOGLE_SERVICE_ACCOUNT_FILE")
    sheets_base_url: str = Field("https://sheets.googleapis.com/v4/spreadsheets", validation_alias="SHEETS_BASE_URL")
    sheets_timeout_seconds: float = Field(30.0, gt=0, le=300, validation_alias="SHEETS_TIMEOUT_SECONDS")
    sheets_max_retries: int = Field(3, ge=0, le=10, validation_alias="SHEETS_MAX_RETRIES")
    # Retries of every client: exponential backoff with full jitter, at most this long between
    # attempts; a Retry-After longer than EXTERNAL_RETRY_AFTER_CAP_SECONDS is not waited for (the
    # call fails with ExternalRateLimited carrying it, for the caller to reschedule).
    external_backoff_cap_seconds: float = Field(8.0, gt=0, le=300, validation_alias="EXTERNAL_BACKOFF_CAP_SECONDS")
    external_retry_after_cap_seconds: float = Field(
        30.0, ge=0, le=3600, validation_alias="EXTERNAL_RETRY_AFTER_CAP_SECONDS"
    )
    # The LLM cache (foundation/external/llm_cache.py): record, replay or off, and where it keeps
    # its answers. Unset: replay under BLOSSOM_ENV=test (a miss is an error naming the request,
    # never a network call), off elsewhere. Read `cache_mode`, not this.
    llm_cache_mode: LLMCacheMode | None = Field(None, validation_alias="LLM_CACHE_MODE")
    llm_cache_dir: Path | None = Field(None, validation_alias="LLM_CACHE_DIR")
    environment: Literal["development", "test", "production"] = Field("development", validation_alias="BLOSSOM_ENV")

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


def _variable_name(loc: tuple[int | str, ...]) -> str:
    field = ExternalSettings.model_fields.get(str(loc[0])) if loc else None
    alias = field.validation_alias if field is not None else None
    return str(alias) if isinstance(alias, str) else str(loc[0] if loc else "settings").upper()


def load_external_settings(environ: Mapping[str, str] | None = None) -> ExternalSettings:
    """Read the external settings from `environ` (default: the process environment); one
    `ConfigurationError` names every invalid variable."""
    try:
        source = os.environ if environ is None else environ
        return ExternalSettings.model_validate({k.upper(): v for k, v in source.items()})
    except ValidationError as exc:
        problems = [f"{_variable_name(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigurationError("invalid settings: " + "; ".join(problems)) from None
