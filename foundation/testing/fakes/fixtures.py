"""Pytest fixtures for code that calls the external clients: each fake served for one test, a
retry policy whose sleeps are recorded instead of slept, and the test's log lines.

A conftest.py takes them by importing them:
`from foundation.testing.fakes.fixtures import fake_openai, fake_slack, sleeps  # noqa: F401`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from foundation.external.retry import RetryPolicy
from foundation.logging import configure_logging, flush_logs
from foundation.testing.fakes.openai import FakeOpenAI, openai_fake
from foundation.testing.fakes.sheets import FakeSheets, sheets_fake
from foundation.testing.fakes.slack import FakeSlack, slack_fake


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with openai_fake() as fake:
        yield fake


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with slack_fake() as fake:
        yield fake


@pytest.fixture
def fake_sheets() -> Iterator[FakeSheets]:
    with sheets_fake() as fake:
        yield fake


class Sleeps:
    """An injected sleep: records each delay, sleeps none. `policy()` draws the jitter at its
    top (0.999), so backoff delays are predictable."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    def policy(self, max_attempts: int = 4, **options: Any) -> RetryPolicy:
        return RetryPolicy(max_attempts=max_attempts, sleep=self, random=lambda: 0.999, **options)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


class Logs:
    """The JSON log lines written during the test (`read()` for the text, `calls()` for the
    `external_call` lines)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self.text = ""

    def read(self) -> str:
        flush_logs()
        self.text += self._capsys.readouterr().err
        return self.text

    def calls(self) -> list[dict[str, Any]]:
        lines = (json.loads(raw) for raw in self.read().splitlines() if raw.startswith("{"))
        return [line for line in lines if line.get("event") == "external_call"]


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Logs]:
    configure_logging("json", "INFO")
    flush_logs()
    capsys.readouterr()
    yield Logs(capsys)
    flush_logs()
