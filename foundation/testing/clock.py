"""A clock that moves only when the test says so."""

from __future__ import annotations

import datetime as _dt

from foundation.time import utc

DEFAULT_START = _dt.datetime(2026, 1, 1, 12, 0, tzinfo=_dt.UTC)


class ManualClock:
    def __init__(self, start: _dt.datetime = DEFAULT_START) -> None:
        self._now = utc(start)

    def now(self) -> _dt.datetime:
        return self._now

    def advance(self, delta: _dt.timedelta | None = None, **kwargs: float) -> _dt.datetime:
        """Move forward by `delta` or by timedelta keyword arguments (`advance(seconds=5)`)."""
        step = delta if delta is not None else _dt.timedelta(**kwargs)
        if step < _dt.timedelta(0):
            raise ValueError("a clock does not run backwards")
        self._now += step
        return self._now

    def set(self, value: _dt.datetime) -> None:
        self._now = utc(value)
