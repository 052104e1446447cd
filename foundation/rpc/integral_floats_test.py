"""A JSON integer written as 218.0 is still an integer (JSON Schema agrees), and nothing else changes."""

from typing import Annotated

import msgspec

from foundation.rpc.validation import decode_integral_floats


class Body(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    count: Annotated[int, msgspec.Meta(ge=1, le=10)]
    ratio: float = 0.5
    items: list[int] = []


DECODER = msgspec.json.Decoder(Body)


def test_integral_floats_decode_as_ints() -> None:
    assert decode_integral_floats(b'{"count": 3.0, "ratio": 2.0, "items": [1.0, 2]}', DECODER) == Body(3, 2.0, [1, 2])


def test_anything_else_still_fails() -> None:
    for raw in (
        b'{"count": 3.5}',
        b'{"count": "3"}',
        b'{"count": 30.0}',
        b'{"count": 3}',
        b"not json",
        b'{"count": 1e400}',
    ):
        assert decode_integral_floats(raw, DECODER) is None
