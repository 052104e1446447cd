"""Every bad field of a request body, with its path.

msgspec decodes and validates in one pass and stops at the first error. That pass is the fast
path; only when it fails do we walk the input against the type to collect *every* error, so a
form can mark all its bad fields at once.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

import msgspec

from foundation.rpc.errors import FieldError

_AT = re.compile(r" - at `\$[^`]*`$")


def _leaf_error(raw: Any, annotation: Any) -> str | None:
    """Check one value with the JSON decoder itself, so the rules are exactly the fast path's."""
    try:
        msgspec.json.decode(msgspec.json.encode(raw), type=annotation)
    except msgspec.ValidationError as exc:
        return _AT.sub("", str(exc))
    return None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _struct_errors(cls: type[msgspec.Struct], raw: Any, path: str, out: list[FieldError]) -> None:
    if not isinstance(raw, dict):
        out.append(FieldError(path, f"Expected `object`, got `{type(raw).__name__}`"))
        return
    config = cls.__struct_config__
    known = set()
    if config.tag_field is not None:
        known.add(config.tag_field)
        if raw.get(config.tag_field) != config.tag:
            out.append(FieldError(_join(path, config.tag_field), f"Expected `{config.tag!r}`"))
    for field in msgspec.structs.fields(cls):
        known.add(field.encode_name)
        if field.encode_name in raw:
            _errors(field.type, raw[field.encode_name], _join(path, field.encode_name), out)
        elif field.required:
            out.append(FieldError(_join(path, field.encode_name), "Object missing required field"))
    if config.forbid_unknown_fields:
        out.extend(FieldError(_join(path, name), "Unknown field") for name in raw if name not in known)


def _errors(annotation: Any, raw: Any, path: str, out: list[FieldError]) -> None:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        before = len(out)
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


def collect_errors(body: bytes, annotation: Any) -> list[FieldError]:
    """Every error in `body` for `annotation`; at least one when msgspec rejected the body."""
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        return [FieldError("", f"Malformed JSON: {exc}")]
    out: list[FieldError] = []
    _errors(annotation, raw, "", out)
    if not out:  # a rule the walk does not model: report msgspec's own finding
        message = _leaf_error(raw, annotation) or "Invalid input"
        out.append(FieldError("", message))
    return out
