"""Reads a frozen `msgspec.Struct` of settings from environment variables.

Every field is converted on its own, so one `ConfigurationError` names every missing or invalid
variable instead of the first. msgspec is already a worker's JSON codec; pydantic, which this
replaces, took a third of a serving worker's import time for a score of variables.

A field's variable is its name upper-cased, or `msgspec.field(name=...)`; variables match
case-insensitively. Constraints are `Annotated[int, msgspec.Meta(ge=1)]`; a check msgspec cannot
express goes in `checks` (per field: raise ValueError with the message) or in the struct's
`__post_init__` (across fields: raise ValueError).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import msgspec

from foundation.errors import ConfigurationError

T = TypeVar("T", bound=msgspec.Struct)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class Secret:
    """A value that never appears in a repr or a log line: read it with `get_secret_value()`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def min_length(length: int) -> Callable[[Any], None]:
    """A check for a Secret (msgspec's Meta constrains only its own types)."""

    def check(value: Any) -> None:
        if value is not None and len(value) < length:
            raise ValueError(f"must be at least {length} characters")

    return check


def _decode(kind: type, value: Any) -> Any:
    if kind is Path:
        return Path(value)
    if kind is Secret:
        return Secret(value)
    raise NotImplementedError(kind)


def _present(annotation: Any) -> Any:
    """The type a set variable converts to: an optional field's type without None (a variable
    that is set is never None: the text `null` is not "unset")."""
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [a for a in get_args(annotation) if a is not type(None)]
        return kept[0] if len(kept) == 1 else Union[tuple(kept)]  # noqa: UP007 (built at run time)
    return annotation


def _base(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _convert(annotation: Any, raw: str) -> Any:
    kind = _present(annotation)
    base = _base(kind)
    if base is bool:  # environment booleans as people write them, not only JSON's
        spelled = raw.strip().lower()
        if spelled in _TRUE:
            return True
        if spelled in _FALSE:
            return False
        raise ValueError("must be one of 1, true, yes, on, 0, false, no, off")
    if base in (int, float) or get_origin(base) is Literal:
        raw = raw.strip()  # `PORT=" 8000"` from a quoted deploy file; strings keep their spaces
    if base is int and not _INTEGER.fullmatch(raw):
        raise ValueError("must be a whole number")
    if get_origin(base) is Literal and raw not in get_args(base):
        raise ValueError("must be one of " + ", ".join(str(choice) for choice in get_args(base)))
    try:
        return msgspec.convert(raw, kind, strict=False, dec_hook=_decode)
    except msgspec.ValidationError as error:
        raise ValueError(str(error)) from None


def read_settings(
    kind: type[T], environ: Mapping[str, str], checks: Mapping[str, Callable[[Any], None]] | None = None
) -> T:
    """Build `kind` from `environ`, or raise one ConfigurationError naming every bad variable."""
    source = {name.upper(): value for name, value in environ.items()}
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in msgspec.structs.fields(kind):
        variable = field.encode_name.upper()
        if variable not in source:
            continue
        try:
            values[field.name] = value = _convert(field.type, source[variable])
            if checks and field.name in checks:
                checks[field.name](value)
        except ValueError as error:
            problems.append(f"{variable}: {error}")
    if not problems:
        try:
            return kind(**values)
        except ValueError as error:  # the struct's __post_init__: rules across variables
            problems.append(str(error))
    raise ConfigurationError("invalid settings: " + "; ".join(problems))
