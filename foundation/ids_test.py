import datetime as dt

import pytest

from foundation.ids import ALPHABET, BODY_CHARS, id_created_at, id_pattern, is_valid_id, new_id
from foundation.testing import ManualClock


def test_ids_are_prefixed_and_fixed_width() -> None:
    ids = [new_id("usr") for _ in range(100)]
    assert {len(i) for i in ids} == {len("usr_") + BODY_CHARS}
    assert all(i.startswith("usr_") and set(i[4:]) <= set(ALPHABET) for i in ids)
    assert len(set(ids)) == 100


def test_ids_sort_by_creation_time_even_across_digit_boundaries() -> None:
    # Early timestamps have fewer significant digits: left padding keeps string order == time order.
    clock = ManualClock(dt.datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=dt.UTC))
    ids = []
    for step in [
        dt.timedelta(milliseconds=1),
        dt.timedelta(seconds=40),
        dt.timedelta(days=400),
        dt.timedelta(days=20000),
    ]:
        ids.append(new_id("org", clock=clock))
        clock.advance(step)
    assert ids == sorted(ids)


def test_the_creation_time_can_be_read_back() -> None:
    clock = ManualClock(dt.datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=dt.UTC))
    assert id_created_at(new_id("org", clock=clock)) == clock.now()


@pytest.mark.parametrize(
    "value",
    [
        "usr_",
        "org_01jd8x3k5q9w2m7a4c6e8g0h1n",
        "usr_01jd8x3k5q9w2m7a4c6e8g0h1",
        "usr_01JD8X3K5Q9W2M7A4C6E8G0H1N",
        "usr_01jd8x3k5q9w2m7a4c6e8g0h1u",
        "usr-01jd8x3k5q9w2m7a4c6e8g0h1n",
    ],
)
def test_malformed_ids_are_invalid(value: str) -> None:
    assert not is_valid_id(value, "usr")


def test_pattern_matches_the_sql_check_constraints() -> None:
    assert id_pattern("usr") == "^usr_[0123456789abcdefghjkmnpqrstvwxyz]{26}$"
    assert is_valid_id("usr_01jd8x3k5q9w2m7a4c6e8g0h1n", "usr")


def test_prefix_is_validated() -> None:
    with pytest.raises(ValueError, match="prefix"):
        new_id("USR")
