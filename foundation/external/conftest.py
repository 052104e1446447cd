"""Fixtures for the external clients' tests: each fake served for one test, and a retry policy
whose sleeps are recorded instead of slept."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from foundation.external.retry import RetryPolicy
from foundation.logging import configure_logging, flush_logs
from foundation.testing.fakes import FakeOpenAI, FakeSheets, FakeSlack, openai_fake, sheets_fake, slack_fake


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
    """An injected sleep: records each delay, sleeps none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    def policy(self, max_attempts: int = 4, **options: float) -> RetryPolicy:
        return RetryPolicy(max_attempts=max_attempts, sleep=self, random=lambda: 0.999, **options)  # pyright: ignore[reportArgumentType]


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


class Logs:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self.text = ""

    def read(self) -> str:
        flush_logs()
        self.text += self._capsys.readouterr().err
        return self.text

    def calls(self) -> list[dict]:
        return [
            line
            for line in (json.loads(raw) for raw in self.read().splitlines() if raw.startswith("{"))
            if line.get("event") == "external_call"
        ]


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Logs]:
    configure_logging("json", "INFO")
    flush_logs()
    capsys.readouterr()
    yield Logs(capsys)
    flush_logs()
