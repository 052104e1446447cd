"""The clock facade: the only place that reads the wall clock.

Code that needs "now" takes a `Clock` so tests can control time; ruff bans `datetime.now`
and friends everywhere else (see `[tool.ruff.lint.flake8-tidy-imports.banned-api]`).
"""

from __future__ import annotations

import datetime as _dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> _dt.datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> _dt.datetime:
        return _dt.datetime.now(_dt.UTC)  # noqa: TID251 (the one sanctioned call)


system_clock: Clock = SystemClock()


def utc(value: _dt.datetime) -> _dt.datetime:
    """Normalise an aware datetime to UTC; reject naive ones, whose meaning is ambiguous."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: attach a timezone before converting to UTC")
    return value.astimezone(_dt.UTC)
