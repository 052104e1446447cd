import datetime as dt

import pytest

from foundation.testing import ManualClock
from foundation.time import system_clock, utc


def test_system_clock_is_aware_utc() -> None:
    assert system_clock.now().tzinfo == dt.UTC


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert clock.now() == clock.now()
    assert clock.advance(seconds=5) == dt.datetime(2026, 1, 1, 0, 0, 5, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(seconds=-1)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc(dt.datetime(2026, 1, 1))
