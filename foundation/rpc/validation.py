"""Every bad field of a request body, with its path.

msgspec decodes and validates in one pass and stops at the first error. That pass is the fast
path; only when it fails do we walk the input against the type to collect the errors, so a form
can mark all its bad fields at once. The list is bounded (`MAX_FIELD_ERRORS`, with a count of the
rest) and so is the walk (`MAX_CHECKS` values; past it `omitted` is a lower bound), so a megabyte
of bad items costs a fraction of a second of the event loop, not seconds. Hostile bytes (invalid
UTF-8, nesting deeper than the decoder's limit) are reported as such instead of raising.

NUL characters pass msgspec (JSON may carry them as `\\u0000`) but PostgreSQL text cannot hold
them: `nul_errors` finds them in a decoded body, by path.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from typing import Any

import msgspec

from foundation.rpc.errors import FieldError

_AT = re.compile(r" - at `\$[^`]*`$")
MAX_FIELD_ERRORS = 100  # listed; the rest are counted
MAX_CHECKS = 25_000  # values checked before the walk stops counting (~0.1 s at worst on a busy core)
NUL_MESSAGE = "Text may not contain the NUL character (\\u0000)"


class _Errors:
    """The errors found so far: the first MAX_FIELD_ERRORS kept, the rest counted."""

    __slots__ = ("checks", "listed", "omitted")

    def __init__(self) -> None:
        self.listed: list[FieldError] = []
        self.omitted = 0
        self.checks = 0

    def __len__(self) -> int:
        return len(self.listed) + self.omitted

    def append(self, error: FieldError) -> None:
        if len(self.listed) < MAX_FIELD_ERRORS:
            self.listed.append(error)
        else:
            self.omitted += 1

    def extend(self, errors: typing.Iterable[FieldError]) -> None:
        for error in errors:
            self.append(error)

    @property
    def full(self) -> bool:
        return len(self.listed) >= MAX_FIELD_ERRORS

    @property
    def exhausted(self) -> bool:
        self.checks += 1
        return self.checks > MAX_CHECKS


@functools.cache
def _decoder(annotation: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(annotation)


_encode = msgspec.json.Encoder().encode


def _leaf_error(raw: Any, annotation: Any) -> str | None:
    """Check one value with the JSON decoder itself, so the rules are exactly the fast path's."""
    try:
        _decoder(annotation).decode(_encode(raw))
    except msgspec.ValidationError as exc:
        return _AT.sub("", str(exc))
    return None


_SCALARS = (str, int, float, bool, bytes)


@functools.cache
def _fields(cls: type[msgspec.Struct]) -> tuple[msgspec.structs.FieldInfo, ...]:
    # msgspec.structs.fields evaluates the class's annotations on every call: most of the walk's
    # time when a body holds thousands of items.
    return msgspec.structs.fields(cls)


MAX_NAME_CHARS = 100  # a field name in an error path (a client's own key may be any length)


def _join(path: str, name: str) -> str:
    return f"{path}.{_printable(name)}" if path else _printable(name)


def _printable(name: str) -> str:
    """A client's key as an error path may show it: a NUL written as `\\u0000` (text the error
    carries must be storable and loggable like any other), a long one cut."""
    if "\x00" in name:
        name = name.replace("\x00", "\\u0000")
    return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS] + "…"


def _struct_errors(cls: type[msgspec.Struct], raw: Any, path: str, out: _Errors) -> None:
    if not isinstance(raw, dict):
        out.append(FieldError(path, f"Expected `object`, got `{type(raw).__name__}`"))
        return
    config = cls.__struct_config__
    known = set()
    if config.tag_field is not None:
        known.add(config.tag_field)
        if raw.get(config.tag_field) != config.tag:
            out.append(FieldError(_join(path, config.tag_field), f"Expected `{config.tag!r}`"))
    for field in _fields(cls):
        known.add(field.encode_name)
        if field.encode_name in raw:
            _errors(field.type, raw[field.encode_name], _join(path, field.encode_name), out)
        elif field.required:
            out.append(FieldError(_join(path, field.encode_name), "Object missing required field"))
    if config.forbid_unknown_fields:
        out.extend(FieldError(_join(path, name), "Unknown field") for name in raw if name not in known)


def _errors(annotation: Any, raw: Any, path: str, out: _Errors) -> None:
    if out.exhausted:
        return
    if out.full:  # nothing more will be listed: one check per value, counted, no descent
        if _leaf_error(raw, annotation) is not None:
            out.omitted += 1
        return
    if isinstance(raw, str) and "\x00" in raw:
        out.append(FieldError(path, NUL_MESSAGE))
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        before = len(out)
        if args[0] not in _SCALARS:  # a container or Struct: its own errors first, by path
            _errors(args[0], raw, path, out)
        if len(out) == before and (message := _leaf_error(raw, annotation)):
            out.append(FieldError(path, message))
    elif isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        _struct_errors(annotation, raw, path, out)
    elif origin in (list, set, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        if not isinstance(raw, list):
            out.append(FieldError(path, f"Expected `array`, got `{type(raw).__name__}`"))
            return
        for index, item in enumerate(raw):
            _errors(args[0], item, f"{path}[{index}]", out)
    elif origin is dict:
        if not isinstance(raw, dict):
            out.append(FieldError(path, f"Expected `object`, got `{type(raw).__name__}`"))
            return
        for key, value in raw.items():
            _errors(args[1], value, _join(path, str(key)), out)
    elif origin in (typing.Union, types.UnionType):
        message = _leaf_error(raw, annotation)
        if message is None:
            return
        structs = [a for a in args if isinstance(a, type) and issubclass(a, msgspec.Struct)]
        untagged = [s for s in structs if s.__struct_config__.tag_field is None]
        if isinstance(raw, dict) and len(untagged) == 1 and len(structs) == 1:
            _struct_errors(untagged[0], raw, path, out)  # `Struct | None` given an object: look inside
        elif isinstance(raw, dict) and structs:
            tag_field = structs[0].__struct_config__.tag_field
            match = [s for s in structs if tag_field and s.__struct_config__.tag == raw.get(tag_field)]
            if match:
                _struct_errors(match[0], raw, path, out)
            else:
                out.append(FieldError(path, message))
        else:
            out.append(FieldError(path, message))
    elif (message := _leaf_error(raw, annotation)) is not None:
        out.append(FieldError(path, message))


class Findings(msgspec.Struct, frozen=True):
    listed: list[FieldError]
    omitted: int  # errors found but not listed
    incomplete: bool  # the walk stopped before the end of the body


def collect_errors(body: bytes, annotation: Any) -> Findings:
    """The errors in `body` for `annotation`; at least one when msgspec rejected the body."""
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        return Findings([FieldError("", f"Malformed JSON: {exc}")], 0, False)
    except UnicodeDecodeError:
        return Findings([FieldError("", "Malformed JSON: text is not valid UTF-8")], 0, False)
    except RecursionError:
        return Findings([FieldError("", "Malformed JSON: nested too deeply")], 0, False)
    out = _Errors()
    try:
        _errors(annotation, raw, "", out)
    except RecursionError:  # a self-referencing type given very deep input
        out.append(FieldError("", "Input nested too deeply"))
    if not len(out):  # a rule the walk does not model: report msgspec's own finding
        message = _leaf_error(raw, annotation) or "Invalid input"
        out.append(FieldError("", message))
    return Findings(out.listed, out.omitted, out.checks > MAX_CHECKS)


def nul_errors(value: Any, path: str = "") -> list[FieldError]:
    """Paths of decoded text holding a NUL character (values and dict keys), bounded."""
    found: list[FieldError] = []
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack and len(found) < MAX_FIELD_ERRORS:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                found.append(FieldError(where, NUL_MESSAGE))
        elif isinstance(item, msgspec.Struct):
            stack.extend((getattr(item, name), _join(where, name)) for name in reversed(item.__struct_fields__))
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend((element, f"{where}[{index}]") for index, element in reversed(list(enumerate(item))))
        elif isinstance(item, dict):
            for key in reversed(list(item)):
                stack.append((item[key], _join(where, str(key))))
                if isinstance(key, str) and "\x00" in key:
                    stack.append((key, where))
    return found


def _integral(value: Any) -> tuple[Any, bool]:
    """`value` with every float that has no fractional part as an int; whether any was."""
    if isinstance(value, float) and value.is_integer():
        return int(value), True
    if isinstance(value, list):
        pairs = [_integral(v) for v in value]
        return [v for v, _ in pairs], any(changed for _, changed in pairs)
    if isinstance(value, dict):
        pairs = {k: _integral(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(changed for _, changed in pairs.values())
    return value, False


def decode_integral_floats(raw: bytes, decoder: msgspec.json.Decoder[Any]) -> Any:
    """JSON says `218.0` is the integer 218 (JSON Schema's `integer` admits it), msgspec's strict
    decoding does not: after a failed decode, the body again with integral floats as ints, or None
    when it has none (or still fails). Only on the failure path, so valid requests pay nothing."""
    try:
        value, changed = _integral(msgspec.json.decode(raw))
        return decoder.decode(msgspec.json.encode(value)) if changed else None
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError, RecursionError, OverflowError):
        return None
