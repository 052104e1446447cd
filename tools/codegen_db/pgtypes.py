"""PostgreSQL types as Python types, for the code generator."""

from __future__ import annotations

from dataclasses import dataclass

# Type name (as sqlc reports it, without schema) -> (Python annotation, import it needs).
_SCALARS: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(
        ["text", "varchar", "bpchar", "char", "citext", "name", "character varying", "character"], ("str", None)
    ),
    **dict.fromkeys(
        [
            "int2",
            "int4",
            "int8",
            "smallint",
            "integer",
            "int",
            "bigint",
            "serial",
            "bigserial",
            "smallserial",
            "serial4",
            "serial8",
            "serial2",
            "oid",
        ],
        ("int", None),
    ),
    **dict.fromkeys(["float4", "float8", "real", "double precision"], ("float", None)),
    **dict.fromkeys(["numeric", "decimal"], ("Decimal", "from decimal import Decimal")),
    **dict.fromkeys(["bool", "boolean"], ("bool", None)),
    **dict.fromkeys(["timestamptz", "timestamp"], ("datetime.datetime", "import datetime")),
    "date": ("datetime.date", "import datetime"),
    **dict.fromkeys(["time", "timetz"], ("datetime.time", "import datetime")),
    "interval": ("datetime.timedelta", "import datetime"),
    "uuid": ("uuid.UUID", "import uuid"),
    "bytea": ("bytes", None),
}
JSON_TYPES = {"json", "jsonb"}


class UnsupportedType(Exception):
    pass


@dataclass(frozen=True)
class PyType:
    annotation: str
    imports: frozenset[str]
    is_json: bool = False


def python_type(
    type_name: str, *, enums: dict[str, str], domains: dict[str, str], json_annotation: str | None = None
) -> PyType:
    """The Python type of a non-array value of PostgreSQL type `type_name`."""
    name = type_name.removeprefix("pg_catalog.").removeprefix("public.")
    name = domains.get(name, name)
    if name in enums:
        return PyType(enums[name], frozenset())
    if name in JSON_TYPES:
        return PyType(
            json_annotation or "JsonValue",
            frozenset({"from database.json import JsonValue"} if json_annotation is None else ()),
            is_json=True,
        )
    if name in _SCALARS:
        annotation, needed = _SCALARS[name]
        return PyType(annotation, frozenset({needed} if needed else ()))
    raise UnsupportedType(name)
