"""Breaking changes between two contracts: what a client built against the older one would notice.

Inputs (what clients send) may widen, never narrow: no removed field, no new required field, no
optional field becoming required, no lost `null`, enum value or union variant, no retyped field,
no tighter bound (length, range, item count) or changed pattern.

Outputs (what clients receive) may narrow, never widen: no removed field, no field becoming
optional or nullable, no retyped field, no new enum value or union variant. A new output value
is breaking on purpose: the TypeScript client turns enums into unions that code switches over
exhaustively, so a value it has never seen falls through every branch. (Output bounds are not
compared: clients do not validate them.)

Routes: removing one is breaking unless the older contract already marked it deprecated; so are
removing an error code (clients handle errors by code), changing an error's fields like an
output, losing a method (GET), switching between streaming and plain, requiring a different
authentication level (except becoming public), taking fewer API keys (`api_keys`: true, then
"personal", then none), and losing a JSON-RPC alias.

Everything added is fine: a new route, a new optional input field, a new output field, a new
error code, a new input enum value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Schema = dict[str, Any]
Direction = Literal["input", "output"]
_REF_PREFIX = "#/components/schemas/"
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_SCALAR_KINDS = {"string": str, "integer": int, "number": (int, float), "boolean": bool}


@dataclass(frozen=True)
class _Alt:
    """One alternative of a (possibly union) schema, its `$ref` name kept for messages and recursion."""

    node: Schema
    name: str | None

    @property
    def kind(self) -> str:
        if "enum" in self.node or "const" in self.node:
            return "enum"
        kind = self.node.get("type")
        if kind is None:
            return "any"
        if kind == "object":
            return "struct" if "properties" in self.node else "dict"
        if kind == "array":
            return "tuple" if "prefixItems" in self.node else "array"
        return str(kind)

    @property
    def values(self) -> list[Any]:
        return list(self.node["enum"]) if "enum" in self.node else [self.node.get("const")]

    def describe(self) -> str:
        if self.name is not None:
            return self.name
        kind = self.kind
        if kind == "enum":
            return " | ".join(json.dumps(v) for v in self.values)
        if kind == "array":
            return f"{_short(self.node.get('items', {}))}[]"
        if kind == "dict":
            return f"{{[key]: {_short(self.node.get('additionalProperties', {}))}}}"
        if kind == "string" and "format" in self.node:
            return f"string ({self.node['format']})"
        return kind


def _short(node: Schema) -> str:
    ref = node.get("$ref")
    return ref.removeprefix(_REF_PREFIX) if isinstance(ref, str) else _Alt(node, None).describe()


@dataclass
class _Differ:
    old_schemas: dict[str, Schema]
    new_schemas: dict[str, Schema]
    found: list[tuple[str, str]] = field(default_factory=list)  # (path, what)
    _open: set[tuple[str | None, str | None, str]] = field(default_factory=set)

    def report(self, path: str, what: str) -> None:
        if (path, what) not in self.found:
            self.found.append((path, what))

    def alternatives(self, node: Schema, schemas: dict[str, Schema], name: str | None = None) -> Iterator[_Alt]:
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = ref.removeprefix(_REF_PREFIX)
            yield from self.alternatives(schemas.get(target, {}), schemas, target)
        elif "anyOf" in node or "oneOf" in node:
            for member in node.get("anyOf") or node.get("oneOf") or []:
                yield from self.alternatives(member, schemas)
        elif isinstance(node.get("type"), list):
            for kind in node["type"]:
                yield from self.alternatives({**node, "type": kind}, schemas, name)
        else:
            yield _Alt(node, name)

    def compare(self, old: Schema, new: Schema, path: str, direction: Direction) -> None:
        """Report where a value the sender may send is one the receiver does not take.

        Input: clients send what the old contract allowed; the new server must take it.
        Output: the new server sends; clients built on the old contract must understand it.
        """
        olds = list(self.alternatives(old, self.old_schemas))
        news = list(self.alternatives(new, self.new_schemas))
        sent, taken = (olds, news) if direction == "input" else (news, olds)
        taken_values = {json.dumps(v) for a in taken if a.kind == "enum" for v in a.values}
        taken_kinds = {a.kind for a in taken}
        retyped = False
        for alt in sent:
            kind = alt.kind
            if kind == "null" and "null" not in taken_kinds and "any" not in taken_kinds:
                self.report(path, "no longer accepts null" if direction == "input" else "became nullable")
            elif kind == "enum":
                for value in alt.values:
                    if json.dumps(value) not in taken_values and not _scalar_taken(value, taken):
                        change = "removed" if direction == "input" else "added"
                        self.report(path, f"enum value {json.dumps(value)} {change}")
            elif kind != "null" and not retyped:
                retyped = not self._match(alt, taken, olds, news, old, new, path, direction)
        if retyped:
            before = " | ".join(a.describe() for a in olds)
            after = " | ".join(a.describe() for a in news)
            self.report(path, f"retyped {before} -> {after}")

    def _match(
        self,
        alt: _Alt,
        taken: list[_Alt],
        olds: list[_Alt],
        news: list[_Alt],
        old: Schema,
        new: Schema,
        path: str,
        direction: Direction,
    ) -> bool:
        """Find what takes `alt` on the other side and compare inside it; False when nothing does."""
        if any(a.kind == "any" for a in taken):
            return True
        kind = alt.kind
        if kind == "struct":
            return self._match_struct(alt, taken, olds, news, old, new, path, direction)
        candidates = [a for a in taken if _kind_fits(alt, a)]
        if not candidates:
            return False
        other = candidates[0]
        old_alt, new_alt = (alt, other) if direction == "input" else (other, alt)
        if direction == "input":
            self._bounds(old_alt.node, new_alt.node, path)
        if kind == "array":
            self.compare(old_alt.node.get("items", {}), new_alt.node.get("items", {}), f"{path}[]", direction)
        elif kind == "dict":
            self.compare(
                _schema(old_alt.node.get("additionalProperties")),
                _schema(new_alt.node.get("additionalProperties")),
                f"{path}{{}}",
                direction,
            )
        elif kind == "tuple":
            old_items, new_items = old_alt.node["prefixItems"], new_alt.node["prefixItems"]
            if len(old_items) != len(new_items):
                return False
            for index, (o, n) in enumerate(zip(old_items, new_items, strict=True)):
                self.compare(o, n, f"{path}[{index}]", direction)
        return True

    def _match_struct(
        self,
        alt: _Alt,
        taken: list[_Alt],
        olds: list[_Alt],
        news: list[_Alt],
        old: Schema,
        new: Schema,
        path: str,
        direction: Direction,
    ) -> bool:
        structs = [a for a in taken if a.kind == "struct"]
        if not structs:
            return False
        sent_structs = [a for a in (olds if direction == "input" else news) if a.kind == "struct"]
        if len(structs) == 1 and len(sent_structs) == 1:
            other = structs[0]  # one object either side: the same thing, whatever its name
        else:  # a union of objects: variants pair up by tag value (or by name without a tag)
            tag = _tag_field(old) or _tag_field(new)
            sent_key = _variant_key(alt, tag)
            keyed = {_variant_key(a, tag): a for a in structs}
            if sent_key not in keyed:
                self.report(path, f"variant {sent_key} {'removed' if direction == 'input' else 'added'}")
                return True
            other = keyed[sent_key]
        old_alt, new_alt = (alt, other) if direction == "input" else (other, alt)
        self.compare_struct(old_alt, new_alt, path, direction)
        return True

    def compare_struct(self, old: _Alt, new: _Alt, path: str, direction: Direction) -> None:
        key = (old.name, new.name, direction)
        if key in self._open and old.name is not None:
            return  # a recursive type, already being compared further up this path
        self._open.add(key)
        try:
            old_fields, new_fields = old.node.get("properties", {}), new.node.get("properties", {})
            old_required, new_required = set(old.node.get("required", ())), set(new.node.get("required", ()))
            for name, old_schema in old_fields.items():
                field_path = f"{path}.{name}"
                if name not in new_fields:
                    self.report(field_path, "field removed")
                    continue
                self.compare(old_schema, new_fields[name], field_path, direction)
                if direction == "output" and name in old_required and name not in new_required:
                    self.report(field_path, "became optional")
                if direction == "input" and name not in old_required and name in new_required:
                    self.report(field_path, "became required")
            for name in new_fields:
                if name not in old_fields and direction == "input" and name in new_required:
                    self.report(f"{path}.{name}", "new required field")
        finally:
            self._open.discard(key)

    def _bounds(self, old: Schema, new: Schema, path: str) -> None:
        for bound in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
            before, after = old.get(bound), new.get(bound)
            if after is None or before == after:
                continue
            if before is None or (after > before if bound in _LOWER_BOUNDS else after < before):
                self.report(path, f"{bound} tightened {json.dumps(before)} -> {json.dumps(after)}")
        if new.get("pattern") is not None and new.get("pattern") != old.get("pattern"):
            self.report(path, f"pattern changed {json.dumps(old.get('pattern'))} -> {json.dumps(new['pattern'])}")


def _schema(value: Any) -> Schema:
    return value if isinstance(value, dict) else {}


def _kind_fits(sent: _Alt, taken: _Alt) -> bool:
    """Whether every value of `sent`'s kind is one of `taken`'s (structure aside)."""
    if sent.kind == "integer" and taken.kind == "number":
        return True
    if sent.kind != taken.kind:
        return False
    if sent.kind == "string":
        return taken.node.get("format") in (None, sent.node.get("format"))
    return True


def _scalar_taken(value: Any, taken: list[_Alt]) -> bool:
    if value is None:
        return any(a.kind == "null" for a in taken)
    for alt in taken:
        python_type = _SCALAR_KINDS.get(alt.kind)
        if python_type is not None and isinstance(value, python_type):
            if isinstance(value, bool) != (alt.kind == "boolean"):
                continue
            return True
    return False


def _tag_field(union: Schema) -> str | None:
    discriminator = union.get("discriminator")
    return discriminator.get("propertyName") if isinstance(discriminator, dict) else None


def _variant_key(alt: _Alt, tag: str | None) -> str:
    if tag is not None:
        tag_schema = alt.node.get("properties", {}).get(tag, {})
        values = tag_schema.get("enum") or ([tag_schema["const"]] if "const" in tag_schema else [])
        if len(values) == 1:
            return json.dumps(values[0])
    return alt.name or alt.describe()


def _error_fields(error: dict[str, Any]) -> Schema:
    name = error.get("fields")
    return {"$ref": _REF_PREFIX + name} if name else {"type": "object", "properties": {}, "required": []}


def _route_changes(
    old: dict[str, Any], new: dict[str, Any], differ: _Differ, roles: list[str] | None = None
) -> list[tuple[str, str]]:
    differ.found = []
    if new["auth"] != old["auth"] and new["auth"] != "public":
        differ.report("auth", f"changed {old['auth']} -> {new['auth']}")
    # Which API keys may call it: fewer is a break for the servers calling with one.
    reach = {None: 0, "personal": 1, True: 2}
    if reach.get(new.get("api_keys"), 0) < reach.get(old.get("api_keys"), 0):
        differ.report("api_keys", f"changed {json.dumps(old.get('api_keys'))} -> {json.dumps(new.get('api_keys'))}")
    if _role_rank(new.get("role"), roles or []) > _role_rank(old.get("role"), roles or []):
        differ.report("role", f"minimum role raised {old.get('role') or '(none)'} -> {new.get('role')}")
    for method in old.get("methods", []):
        if method not in new.get("methods", []):
            differ.report("methods", f"{method} removed")
    if bool(old.get("streaming")) != bool(new.get("streaming")):
        differ.report("streaming", f"changed {json.dumps(old.get('streaming'))} -> {json.dumps(new.get('streaming'))}")
    differ.compare(old["input"], new["input"], "input", "input")
    differ.compare(old["output"], new["output"], "output", "output")
    new_errors = {e["code"]: e for e in new.get("errors", [])}
    for error in old.get("errors", []):
        code = error["code"]
        if code not in new_errors:
            differ.report(f"errors.{code}", "error removed")
        else:
            differ.compare(_error_fields(error), _error_fields(new_errors[code]), f"errors.{code}", "output")
    return differ.found


def _role_rank(role: str | None, roles: list[str]) -> int:
    """A route's minimum on the app's ladder; none is the lowest (any administrator)."""
    if role is None:
        return 0
    return roles.index(role) if role in roles else len(roles)  # a role off the ladder: the strictest


def breaking_changes(app: str, old: dict[str, Any], new: dict[str, Any] | None) -> list[str]:
    """One line per breaking change from contract `old` to `new` (None: the app's contract is gone)."""
    new = new or {"routes": [], "schemas": {}}
    differ = _Differ(old.get("schemas", {}), new.get("schemas", {}))
    new_routes = {route["name"]: route for route in new.get("routes", [])}
    lines: list[str] = []
    for route in old.get("routes", []):
        name = route["name"]
        if name not in new_routes:
            if not route.get("deprecated"):
                lines.append(f"{app} {name}: route removed without being deprecated first")
            continue
        changes = _route_changes(route, new_routes[name], differ, new.get("roles", []))
        lines += [f"{app} {name}: {path}: {what}" for path, what in changes]
    jsonrpc = _jsonrpc_changes(old.get("jsonrpc"), new.get("jsonrpc"), set(new_routes))
    return lines + [f"{app} jsonrpc: {what}" for what in jsonrpc]


def _jsonrpc_changes(old: dict[str, Any] | None, new: dict[str, Any] | None, routes: set[str]) -> list[str]:
    """The JSON-RPC endpoint: it must stay, keep its path and every method that is still a route
    (a removed route is reported as such), allow as large a batch, and keep each error code."""
    if old is None:
        return []
    if new is None:
        return ["the endpoint removed"]
    changes = []
    if new.get("path") != old.get("path"):
        changes.append(f"path changed {old.get('path')} -> {new.get('path')}")
    if new.get("max_batch", 0) < old.get("max_batch", 0):
        changes.append(f"max_batch lowered {old.get('max_batch')} -> {new.get('max_batch')}")
    kept = set(new.get("methods", []))
    # A method whose route is gone is reported as a removed route (or allowed, if deprecated).
    changes += [f"methods.{m}: no longer callable" for m in old.get("methods", []) if m not in kept and m in routes]
    aliases = new.get("aliases", {})
    changes += [f"aliases.{a}: no longer callable" for a in old.get("aliases", {}) if a not in aliases]
    old_codes, new_codes = _flat_codes(old.get("codes", {})), _flat_codes(new.get("codes", {}))
    changes += [f"codes.{k}: changed {v} -> {new_codes.get(k)}" for k, v in old_codes.items() if new_codes.get(k) != v]
    return changes


def _flat_codes(codes: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in codes.items():
        if isinstance(value, dict):
            flat.update(_flat_codes(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat
