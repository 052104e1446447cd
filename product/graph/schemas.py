"""Node types' JSON Schemas (draft 2020-12): checked when a type is made, then used to validate
node documents. A schema is a tenant's input run on every write, so it is treated as hostile:

- bounded in size (`MAX_SCHEMA_BYTES`) and nesting (`MAX_DEPTH`), like documents;
- no remote `$ref`: references must be local (`#…`) and resolve, and the validator's registry
  can retrieve nothing (jsonschema's default would fetch an `http(s)` reference);
- regular expressions (`pattern`, `patternProperties`, and `additionalProperties` beside them)
  run on RE2, which is linear in the text: no catastrophic backtracking. A pattern RE2 cannot
  compile (lookaround, backreferences) is refused when the type is made. `unevaluatedProperties`
  beside `patternProperties` is refused: jsonschema would match those with Python's `re`.
- `format` is an annotation only (draft 2020-12's default): not asserted.
- validation is bounded: at most `MAX_CHECKS` keyword checks and `MAX_SECONDS` a document (combinators that branch
  on themselves could cost 2^n), `uniqueItems` hashes instead of comparing every pair, and a
  reference that loops without consuming anything ends as a violation, never a 500.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import msgspec

from foundation.errors import BlossomError
from foundation.rpc.errors import FieldError

if TYPE_CHECKING:  # jsonschema, referencing and RE2 are imported on first use: most requests a
    from jsonschema import ValidationError  # serving worker answers validate no document
    from referencing import Registry

MAX_SCHEMA_BYTES = 32 * 1024  # a schema, as compact JSON
MAX_DOCUMENT_BYTES = 64 * 1024  # a node's or a relationship's data, as compact JSON
MAX_DEPTH = 32  # nesting of objects and arrays, in a schema or a document
MAX_ERRORS = 20  # schema violations listed
MAX_MESSAGE_CHARS = 300


class InvalidSchema(BlossomError):
    """The node type's schema is not a valid JSON Schema (draft 2020-12), or uses what is not
    allowed here (a remote reference, a pattern RE2 cannot run); `fields` says where."""

    code = "invalid_schema"
    status = 400

    class Fields(msgspec.Struct, frozen=True):
        fields: list[FieldError]


class SchemaViolation(BlossomError):
    """The document does not satisfy its node type's schema; `fields` names each failing JSON path
    (`data.address.zip`, `data.tags[2]`)."""

    code = "schema_violation"
    status = 400

    class Fields(msgspec.Struct, frozen=True):
        fields: list[FieldError]


class DocumentTooLarge(BlossomError):
    """A document (or schema) over its size or nesting limit; `field` names it."""

    code = "document_too_large"
    status = 400

    class Fields(msgspec.Struct, frozen=True):
        field: str
        limit: int  # bytes of compact JSON, or levels of nesting


def json_path(root: str, parts: Any) -> str:
    """A JSON path in our field-path form: `data.address.zip`, `data.tags[2]`."""
    path = root
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else str(part))
    return path


def _depth(value: Any) -> int:
    """Nesting depth of objects and arrays, iteratively (no recursion on hostile input)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def bounded(field: str, value: Any, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """`value` as compact JSON, refused as DocumentTooLarge over `limit` bytes or MAX_DEPTH levels."""
    if _depth(value) > MAX_DEPTH:
        raise DocumentTooLarge(f"{field} is nested more than {MAX_DEPTH} levels deep", field=field, limit=MAX_DEPTH)
    encoded = msgspec.json.encode(value)
    if len(encoded) > limit:
        raise DocumentTooLarge(f"{field} is over {limit} bytes as JSON", field=field, limit=limit)
    return encoded


# --- RE2 in place of Python's re -------------------------------------------------------------------


@functools.cache
def _re2_options() -> Any:
    import re2

    options = re2.Options()
    options.max_mem = 1 << 20  # a pattern's compiled program stays small
    return options


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> Any:
    import re2

    return re2.compile(pattern, options=_re2_options())


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _regex(pattern).search(instance):
        from jsonschema import ValidationError

        yield ValidationError(f"does not match the pattern {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _regex(pattern).search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = [_regex(p) for p in schema.get("patternProperties", {})]
    extras = [k for k in instance if k not in properties and not any(p.search(k) for p in patterns)]
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and extras:
        from jsonschema import ValidationError

        yield ValidationError(f"additional properties are not allowed ({', '.join(map(repr, sorted(extras)))})")


def _canonical(value: Any) -> Any:
    """JSON Schema's equality as a hashable key: 1 and 1.0 alike, true and 1 not, keys unordered."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, list):
        return ("array", tuple(_canonical(v) for v in value))
    return ("object", frozenset((k, _canonical(v)) for k, v in value.items()))


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # jsonschema's falls back to comparing every pair (quadratic) for objects; this hashes.
    if unique and validator.is_type(instance, "array"):
        keys = [_canonical(item) for item in instance]
        if len(set(keys)) < len(keys):
            from jsonschema import ValidationError

            yield ValidationError("has non-unique elements")


class _TooCostly(Exception):
    pass


class _Budget:
    """Keyword checks one validation may make, and until when: a schema whose combinators branch
    on themselves (`anyOf` of two references to the next level, thirty levels deep) would
    otherwise cost 2^30; a check through a reference costs several times a plain one, hence the
    clock too (read at every check: a check through a long `enum` costs as much as hundreds)."""

    given = left = 0
    until = 0.0


def spent() -> int:
    """Keyword checks the last `violations` made."""
    return _Budget.given - max(_Budget.left, 0)


MAX_CHECKS = 100_000  # a 64 KiB document under a plain schema needs a few tens of thousands
MAX_SECONDS = 0.25  # such a document takes under 0.1 s


def _counted(check: Any, keyword: str) -> Any:
    sized = keyword == "enum"  # compares the instance with each member: charged by its length

    @functools.wraps(check)
    def counted(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        _Budget.left -= len(value) if sized and isinstance(value, list) else 1
        if _Budget.left < 0 or time.perf_counter() > _Budget.until:
            raise _TooCostly
        return check(validator, value, instance, schema)

    return counted


@functools.cache
def _validator_class() -> Any:
    """Draft 2020-12 with RE2 patterns and hashed uniqueItems, every keyword counted (made on first use)."""
    from jsonschema import Draft202012Validator, validators

    keywords = {
        **Draft202012Validator.VALIDATORS,
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "uniqueItems": _unique_items,
    }
    return validators.extend(Draft202012Validator, {k: _counted(v, k) for k, v in keywords.items()})


@functools.cache
def _no_retrieval() -> Registry:
    """A registry that resolves nothing it was not given: no remote $ref is ever fetched."""
    from referencing import Registry

    return Registry()


def _keywords(schema: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    """Every (path, keyword, value) of a schema, iteratively."""
    stack = [(schema, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                yield where, key, value
                stack.append((value, (*where, key)))
        elif isinstance(node, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(node))


def _objects(document: Any) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every JSON object in `document` with its path, the root first."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            yield where, node
            stack.extend((v, (*where, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(node))


def _refuse(path: tuple[Any, ...], message: str) -> InvalidSchema:
    where = json_path("schema", path)
    return InvalidSchema(f"{message} (at {where})", fields=[{"path": where, "message": message}])


def check_schema(schema: Any) -> None:
    """Refuse a schema that is too large, not a valid draft 2020-12 schema (the validator's
    message, naming where), or using what this module does not allow."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    from referencing import Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012

    bounded("schema", schema, MAX_SCHEMA_BYTES)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise _refuse(tuple(error.path), error.message[:MAX_MESSAGE_CHARS]) from None
    uses_unevaluated = uses_patterns = False
    for path, keyword, value in _keywords(schema):
        if keyword in ("$ref", "$dynamicRef") and isinstance(value, str) and not value.startswith("#"):
            raise _refuse(path, f"only local references (starting with #) are allowed, not {value[:100]!r}")
        if keyword == "$id" and path and isinstance(value, str):
            raise _refuse(path, "$id is allowed only at the schema's root")
        if keyword == "pattern" and isinstance(value, str):
            _compiles(path, value)
        if keyword == "patternProperties" and isinstance(value, dict):
            uses_patterns = True
            for pattern in value:
                _compiles((*path, keyword), pattern)
        uses_unevaluated = uses_unevaluated or keyword == "unevaluatedProperties"
    if uses_patterns and uses_unevaluated:
        raise _refuse((), "unevaluatedProperties cannot be used together with patternProperties here")
    if isinstance(schema, dict):
        resolver = _no_retrieval().resolver_with_root(Resource(contents=schema, specification=DRAFT202012))
        # id of a schema holding references -> what they refer to ($ref and $dynamicRef: both)
        targets: dict[int, list[Any]] = {}
        for path, keyword, value in _keywords(schema):
            if keyword in ("$ref", "$dynamicRef") and isinstance(value, str):
                try:
                    target = resolver.lookup(value).contents
                except (Unresolvable, ValueError, TypeError, LookupError):  # `#/allOf/x`: not an index
                    raise _refuse(path, f"the reference {value[:100]!r} does not resolve") from None
                if not isinstance(target, (dict, bool)):  # `#/properties/a/type`: a string, not a schema
                    raise _refuse(path, f"the reference {value[:100]!r} is not to a schema")
                targets.setdefault(id(_at(schema, path)), []).append(target)
        _refuse_in_place_cycles(schema, targets)


# Keywords that apply a subschema to the same instance location: a cycle through only these never
# ends, whatever the document (draft 2020-12 §9.4.1 leaves it undefined; we refuse it up front
# rather than let each validation run into the recursion limit or its time budget).
_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE_SINGLE = ("not", "if")
_IN_PLACE_WITH_IF = ("then", "else")  # applied only beside an `if`


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _in_place(node: dict[str, Any], targets: dict[int, list[Any]]) -> Iterator[Any]:
    """The subschemas `node` applies where it stands (a reference: its target)."""
    for keyword in _IN_PLACE_LISTS:
        if isinstance(branches := node.get(keyword), list):
            yield from branches
    for keyword in _IN_PLACE_SINGLE:
        if keyword in node:
            yield node[keyword]
    if "if" in node:
        yield from (node[keyword] for keyword in _IN_PLACE_WITH_IF if keyword in node)
    if isinstance(dependent := node.get("dependentSchemas"), dict):
        yield from dependent.values()
    yield from targets.get(id(node), ())


def _refuse_in_place_cycles(schema: dict[str, Any], targets: dict[int, list[Any]]) -> None:
    """Refuse a reference that leads back to a schema on its own in-place path (`{"$ref": "#"}`),
    naming the schema that closes the loop. Iterative depth-first search, each subschema once."""
    where = {id(node): path for path, node in _objects(schema)}
    done: set[int] = set()
    for _, start in _objects(schema):
        if id(start) in done:
            continue
        on_path = {id(start)}
        stack = [(start, _in_place(start, targets))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if not isinstance(child, dict) or id(child) in done:
                    continue
                if id(child) in on_path:
                    raise _refuse(
                        where[id(node)], "the schema refers to itself without end (a loop through in-place keywords)"
                    )
                on_path.add(id(child))
                stack.append((child, _in_place(child, targets)))
                break
            else:
                stack.pop()
                on_path.discard(id(node))
                done.add(id(node))


def _compiles(path: tuple[Any, ...], pattern: str) -> None:
    import re2

    try:
        _regex(pattern)
    except re2.error as error:
        raise _refuse(path, f"the pattern {pattern[:100]!r} is not supported (RE2 syntax): {error}") from None


@functools.lru_cache(maxsize=256)
def _validator(encoded_schema: bytes) -> Any:
    return _validator_class()(msgspec.json.decode(encoded_schema), registry=_no_retrieval())


def violations(
    schema: Any, data: Any, root: str = "data", checks: int = MAX_CHECKS, until: float | None = None
) -> list[FieldError]:
    """What in `data` fails `schema`, by JSON path (at most MAX_ERRORS, shallowest first), within
    `checks` keyword checks (`spent()` says how many it took) and MAX_SECONDS (or until the
    `time.perf_counter()` reading `until`, if sooner)."""
    from referencing.exceptions import Unresolvable

    validator = _validator(msgspec.json.encode(schema))
    found: list[FieldError] = []
    _Budget.given = _Budget.left = checks  # validation is synchronous: no other one runs meanwhile
    _Budget.until = time.perf_counter() + MAX_SECONDS
    if until is not None:
        _Budget.until = min(_Budget.until, until)
    try:
        for error in validator.iter_errors(data):
            message = error.message if len(error.message) <= MAX_MESSAGE_CHARS else error.message[:MAX_MESSAGE_CHARS]
            found.append(FieldError(json_path(root, error.absolute_path), message))
            if len(found) >= MAX_ERRORS:
                break
    except Unresolvable as error:  # a reference check_schema could not see (it resolves statically)
        found = [FieldError(root, f"the schema's reference does not resolve: {error}"[:MAX_MESSAGE_CHARS])]
    except RecursionError:  # a reference to itself that consumes nothing (`{"$ref": "#"}`)
        found = [FieldError(root, "the schema refers to itself without end")]
    except (AttributeError, TypeError):  # a reference to what is not a schema (check_schema refuses those)
        found = [FieldError(root, "the schema refers to something that is not a schema")]
    except _TooCostly:
        found = [FieldError(root, "checking this document against its schema takes too long (over its budget)")]
    return sorted(found, key=lambda e: (e.path.count(".") + e.path.count("["), e.path))


def validate(schema: Any, data: Any, root: str = "data") -> None:
    """Raise SchemaViolation naming every failing path of `data` (at most MAX_ERRORS)."""
    if found := violations(schema, data, root):
        summary = "; ".join(f"{e.path}: {e.message}" for e in found[:3])
        raise SchemaViolation(
            f"the document does not match its type's schema: {summary}", fields=[msgspec.to_builtins(e) for e in found]
        )


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: `patch` applied to `target` (neither is changed)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
