"""JSON values as generated queries pass them to and from json/jsonb columns.

A column whose query does not say what it holds is a `JsonValue`: what `json.loads` would give.
A query can name the type (`-- json: settings = product.orgs.models:Settings`); its values are
then decoded straight into that type by msgspec, which validates them.
"""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar

import msgspec

JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def encode_json(value: Any) -> str:
    """A value for a json/jsonb parameter (asyncpg sends JSON as text)."""
    return _encoder.encode(value).decode()


def decode_json(text: str) -> JsonValue:
    return _decoder.decode(text)


def decode_json_as(text: str, type: type[T]) -> T:
    return msgspec.json.decode(text, type=type)
