"""Prefixed, time-sortable, fixed-width identifiers: `usr_01jd8x3k5q9w2m7a4c6e8g0h1n`.

Format (shared with the SQL function `app_new_id(prefix)` in the first migration):
`<prefix>_` + 10 characters of milliseconds since the Unix epoch + 16 random characters, all
in lowercase Crockford base32 (`0-9a-z` without i, l, o, u). The timestamp is left-padded with
zeros to a fixed width, so string order is creation order (to the millisecond) in both Python
and PostgreSQL, and every id of one prefix has the same length.
"""

from __future__ import annotations

import datetime as _dt
import re
import secrets

from foundation.time import Clock, system_clock

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
TIME_CHARS = 10  # 50 bits: milliseconds until the year 10889
RANDOM_CHARS = 16  # 80 random bits
BODY_CHARS = TIME_CHARS + RANDOM_CHARS

_PREFIX = re.compile(r"^[a-z]{2,8}$")
_BODY = f"[{ALPHABET}]{{{BODY_CHARS}}}"


def _encode(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    if value:
        raise ValueError("value does not fit the fixed width")
    return "".join(reversed(chars))


def new_id(prefix: str, *, clock: Clock = system_clock) -> str:
    """A new id for `prefix` (`usr`, `org`, …) stamped with `clock`'s current time."""
    if not _PREFIX.match(prefix):
        raise ValueError(f"id prefix must be 2-8 lowercase letters, got {prefix!r}")
    millis = int(clock.now().timestamp() * 1000)
    return f"{prefix}_{_encode(millis, TIME_CHARS)}{_encode(secrets.randbits(80), RANDOM_CHARS)}"


def is_valid_id(value: str, prefix: str) -> bool:
    return re.fullmatch(f"{re.escape(prefix)}_{_BODY}", value) is not None


def id_pattern(prefix: str) -> str:
    """The POSIX regular expression the SQL CHECK constraints use for `prefix`."""
    return f"^{prefix}_{_BODY}$"


def id_created_at(value: str) -> _dt.datetime:
    """The creation time encoded in an id (millisecond precision)."""
    _, _, body = value.partition("_")
    if len(body) != BODY_CHARS or any(c not in ALPHABET for c in body):
        raise ValueError(f"not a Blossom id: {value!r}")
    millis = 0
    for char in body[:TIME_CHARS]:
        millis = millis * 32 + ALPHABET.index(char)
    return _dt.datetime.fromtimestamp(millis / 1000, _dt.UTC)
