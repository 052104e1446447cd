"""External settings: defaults, one error naming every bad variable, credentials at first use."""

from __future__ import annotations

import pytest

from foundation.errors import ConfigurationError
from foundation.external.settings import load_external_settings


def test_defaults_need_no_credentials() -> None:
    settings = load_external_settings({})
    assert settings.openai_base_url == "https://api.openai.com/v1"
    assert settings.slack_base_url == "https://slack.com/api/"
    assert settings.sheets_base_url == "https://sheets.googleapis.com/v4/spreadsheets"
    assert settings.llm_cache_mode == "off"


def test_bad_values_are_named_together() -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_external_settings({"OPENAI_TIMEOUT_SECONDS": "0", "LLM_CACHE_MODE": "sometimes"})
    assert "OPENAI_TIMEOUT_SECONDS" in str(raised.value)
    assert "LLM_CACHE_MODE" in str(raised.value)


def test_missing_credentials_name_their_variable_in_one_line(tmp_path) -> None:
    settings = load_external_settings({})
    for require, variable in [
        (settings.require_openai_key, "OPENAI_API_KEY"),
        (settings.require_slack_token, "SLACK_BOT_TOKEN"),
        (settings.require_service_account_file, "GOOGLE_SERVICE_ACCOUNT_FILE"),
    ]:
        with pytest.raises(ConfigurationError, match=f"^{variable} ") as raised:
            require()
        assert "\n" not in str(raised.value)
    missing = load_external_settings({"GOOGLE_SERVICE_ACCOUNT_FILE": str(tmp_path / "nope.json")})
    with pytest.raises(ConfigurationError, match=r"^GOOGLE_SERVICE_ACCOUNT_FILE: no such file"):
        missing.require_service_account_file()


def test_secrets_are_not_in_the_settings_repr() -> None:
    settings = load_external_settings({"OPENAI_API_KEY": "sk-secret-1", "SLACK_BOT_TOKEN": "xoxb-secret-2"})
    assert "sk-secret-1" not in repr(settings)
    assert "xoxb-secret-2" not in repr(settings)
    assert settings.require_openai_key() == "sk-secret-1"
