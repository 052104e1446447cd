"""The graph module over HTTP, at /rpc/ and through /jsonrpc, on the real database: every route,
every bad input of issue 12 (each a precise error, nothing half-written), and the races."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
import pytest

from product.accounts.sessions import COOKIE_NAME
from product.graph import routes as graph_routes
from product.graph import schemas
from product.testing import TRANSPORTS, ProductHarness, failure_of, post_route, product_harness, signed_in_session

PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}},
        "address": {"type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}},
    },
    "required": ["name"],
}


@dataclass
class Caller:
    http: httpx.AsyncClient
    transport: str
    org_id: str
    headers: dict[str, str]

    async def call(self, route: str, body: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
        """(result, None) on success, (None, failure) otherwise, whichever the transport."""
        response = await post_route(self.http, self.transport, route, msgspec.json.encode(body), self.headers)
        failure = failure_of(self.transport, response)
        if failure is not None:
            assert failure["code"] != "internal", response.text
            if self.transport == "rpc":
                assert 400 <= response.status_code < 500, response.text
            return None, failure
        return (response.json() if self.transport == "rpc" else response.json()["result"]), None

    async def ok(self, route: str, body: dict[str, Any]) -> Any:
        result, failure = await self.call(route, body)
        assert failure is None, failure
        return result

    async def fails(self, route: str, body: dict[str, Any], code: str) -> dict[str, Any]:
        result, failure = await self.call(route, body)
        assert failure is not None and failure["code"] == code, (result, failure)
        return failure


async def _caller(product: ProductHarness, transport: str) -> Caller:
    t = product.t
    org = await t.factory.org()
    user = await t.factory.user()
    await t.factory.membership(org, user, "owner")
    token = await signed_in_session(t, user_id=user.id, org_id=org.id)
    return Caller(product.http, transport, org.id, {"cookie": f"{COOKIE_NAME}={token}"})


@pytest.fixture(params=TRANSPORTS)
async def me(request: pytest.FixtureRequest, product: ProductHarness) -> Caller:
    return await _caller(product, request.param)


async def _counts(product: ProductHarness) -> list[int]:
    owner = product.t.db.owner
    return [
        await owner.fetchval(f"SELECT count(*) FROM {table}")
        for table in ("graph_node_types", "graph_nodes", "graph_relationships")
    ]


async def _person_type(me: Caller) -> dict[str, Any]:
    return await me.ok("node_types.create", {"name": "person", "description": "A person", "schema": PERSON})


# --- node types ------------------------------------------------------------------------------------


async def test_node_type_lifecycle(me: Caller) -> None:
    created = await _person_type(me)
    assert (created["name"], created["description"], created["schema"]) == ("person", "A person", PERSON)
    assert await me.ok("node_types.get", {"id": created["id"]}) == created
    renamed = await me.ok("node_types.update", {"id": created["id"], "name": "human"})
    assert (renamed["name"], renamed["schema"]) == ("human", PERSON)
    await me.fails("node_types.create", {"name": "human"}, "node_type_name_taken")
    other = await me.ok("node_types.create", {"name": "company"})
    await me.fails("node_types.update", {"id": other["id"], "name": "human"}, "node_type_name_taken")
    listed = await me.ok("node_types.list", {})
    assert [t["name"] for t in listed["node_types"]] == ["human", "company"]
    assert await me.ok("node_types.delete", {"id": other["id"]}) == {"nodes_deleted": 0}
    await me.fails("node_types.get", {"id": other["id"]}, "node_type_not_found")
    await me.fails("node_types.delete", {"id": other["id"]}, "node_type_not_found")


@pytest.mark.parametrize(
    ("schema", "path", "says"),
    [
        ({"type": 12}, "schema.type", "is not valid"),
        ({"properties": {"a": {"minLength": -1}}}, "schema.properties.a.minLength", "-1"),
        ({"$ref": "https://evil.example/schema.json"}, "schema", "only local references"),
        ({"properties": {"a": {"$ref": "#/$defs/missing"}}}, "schema.properties.a", "does not resolve"),
        ({"properties": {"a": {"type": "string", "pattern": "(?=a)b"}}}, "schema.properties.a", "not supported"),
        ({"patternProperties": {"(": {}}}, "schema.patternProperties", "is not a 'regex'"),
        ({"patternProperties": {"(a)\\1": {}}}, "schema.patternProperties", "not supported"),
        ({"properties": {"a": {"$id": "https://elsewhere.example/"}}}, "schema.properties.a", "$id"),
        ({"$ref": "#"}, "schema", "refers to itself"),
        ({"$ref": "#", "$dynamicRef": "#/$defs/ok", "$defs": {"ok": {}}}, "schema", "refers to itself"),
        ({"allOf": [{}], "properties": {"a": {"$ref": "#/allOf/x"}}}, "schema.properties.a", "does not resolve"),
        ({"anyOf": [{"$ref": "#/anyOf"}]}, "schema.anyOf[0]", "not to a schema"),
        (
            {"properties": {"a": {"type": "string"}, "b": {"$ref": "#/properties/a/type"}}},
            "schema.properties.b",
            "not to a schema",
        ),
        (
            {
                "properties": {"a": {"$ref": "#/$defs/x"}},
                "$defs": {"x": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/x"}]}},
            },
            "schema.$defs.x.anyOf[1]",
            "refers to itself",
        ),
        (
            {
                "$defs": {"x": {"not": {"$ref": "#/$defs/y"}}, "y": {"allOf": [{"$ref": "#/$defs/x"}]}},
                "$ref": "#/$defs/x",
            },
            "schema.$defs.y.allOf[0]",
            "refers to itself",
        ),
    ],
)
async def test_a_malformed_or_unsafe_schema_is_refused_naming_where(
    me: Caller, product: ProductHarness, schema: Any, path: str, says: str
) -> None:
    failure = await me.fails("node_types.create", {"name": "broken", "schema": schema}, "invalid_schema")
    assert [f["path"] for f in failure["fields"]] == [path], failure
    assert says in failure["fields"][0]["message"], failure
    assert await _counts(product) == [0, 0, 0]


async def test_then_or_else_without_an_if_is_never_applied_so_it_loops_nowhere(me: Caller) -> None:
    kind = await me.ok("node_types.create", {"name": "inert", "schema": {"then": {"$ref": "#"}, "type": "object"}})
    assert (await me.ok("nodes.create", {"node_type_id": kind["id"], "data": {"a": 1}}))["data"] == {"a": 1}
    await me.fails(
        "node_types.create", {"name": "loops", "schema": {"if": {}, "then": {"$ref": "#"}}}, "invalid_schema"
    )


async def test_a_recursive_schema_that_descends_is_accepted_and_checked_at_depth(me: Caller) -> None:
    tree = {
        "type": "object",
        "properties": {"label": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}},
    }
    kind = await me.ok("node_types.create", {"name": "tree", "schema": tree})
    deep = {"label": "root", "children": [{"label": "a", "children": [{"label": 3}]}]}
    failure = await me.fails("nodes.create", {"node_type_id": kind["id"], "data": deep}, "schema_violation")
    assert [f["path"] for f in failure["fields"]] == ["data.children[0].children[0].label"], failure


async def test_an_oversize_schema_is_refused(me: Caller, product: ProductHarness) -> None:
    schema = {"properties": {f"p{n}": {"type": "string", "description": "x" * 100} for n in range(400)}}
    failure = await me.fails("node_types.create", {"name": "big", "schema": schema}, "document_too_large")
    assert (failure["field"], failure["limit"]) == ("schema", schemas.MAX_SCHEMA_BYTES)
    assert await _counts(product) == [0, 0, 0]


async def test_a_type_with_nodes_is_deleted_only_with_cascade(me: Caller, product: ProductHarness) -> None:
    person = await _person_type(me)
    a = await me.ok("nodes.create", {"node_type_id": person["id"], "data": {"name": "Ada"}})
    b = await me.ok("nodes.create", {"node_type_id": person["id"], "data": {"name": "Bob"}})
    await me.ok("relationships.create", {"source_node_id": a["id"], "target_node_id": b["id"], "type": "knows"})
    await me.fails("node_types.delete", {"id": person["id"]}, "node_type_in_use")
    assert await _counts(product) == [1, 2, 1]
    assert await me.ok("node_types.delete", {"id": person["id"], "cascade": True}) == {"nodes_deleted": 2}
    assert await _counts(product) == [0, 0, 0]


async def test_a_schema_change_must_hold_for_existing_nodes(me: Caller) -> None:
    person = await _person_type(me)
    ada = await me.ok("nodes.create", {"node_type_id": person["id"], "data": {"name": "Ada", "age": 36}})
    stricter = {**PERSON, "properties": {**PERSON["properties"], "age": {"type": "integer", "maximum": 30}}}
    failure = await me.fails("node_types.update", {"id": person["id"], "schema": stricter}, "nodes_violate_schema")
    assert failure["node_id"] == ada["id"]
    assert [f["path"] for f in failure["fields"]] == ["data.age"]
    assert (await me.ok("node_types.get", {"id": person["id"]}))["schema"] == PERSON
    looser = {**PERSON, "required": []}
    assert (await me.ok("node_types.update", {"id": person["id"], "schema": looser}))["schema"] == looser


# --- nodes -----------------------------------------------------------------------------------------


async def test_node_lifecycle_with_whole_updates_and_merge_patches(me: Caller) -> None:
    person = await _person_type(me)
    data = {"name": "Ada", "age": 36, "address": {"zip": "12345"}, "tags": ["math"]}
    node = await me.ok("nodes.create", {"node_type_id": person["id"], "data": data})
    assert (node["node_type_id"], node["data"]) == (person["id"], data)
    assert await me.ok("nodes.get", {"id": node["id"]}) == node
    replaced = await me.ok("nodes.update", {"id": node["id"], "data": {"name": "Ada L."}})
    assert replaced["data"] == {"name": "Ada L."}
    patched = await me.ok(
        "nodes.patch", {"id": node["id"], "patch": {"age": 37, "address": {"zip": "54321"}, "name": "Ada"}}
    )
    assert patched["data"] == {"name": "Ada", "age": 37, "address": {"zip": "54321"}}
    removed = await me.ok("nodes.patch", {"id": node["id"], "patch": {"age": None, "address": {"zip": None}}})
    assert removed["data"] == {"name": "Ada", "address": {}}
    assert await me.ok("nodes.delete", {"id": node["id"]}) == {}
    await me.fails("nodes.get", {"id": node["id"]}, "node_not_found")
    await me.fails("nodes.delete", {"id": node["id"]}, "node_not_found")
    await me.fails("nodes.update", {"id": node["id"], "data": {"name": "x"}}, "node_not_found")


def test_merge_patch_follows_rfc_7396_examples() -> None:
    cases = [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ]
    for target, patch, expected in cases:
        assert schemas.merge_patch(target, patch) == expected, (target, patch)


async def test_data_failing_the_schema_names_each_json_path(me: Caller, product: ProductHarness) -> None:
    person = await _person_type(me)
    bad = {"name": "", "age": -1, "tags": ["ok", "NOPE"], "address": {"zip": "12"}}
    failure = await me.fails("nodes.create", {"node_type_id": person["id"], "data": bad}, "schema_violation")
    assert [f["path"] for f in failure["fields"]] == ["data.age", "data.name", "data.address.zip", "data.tags[1]"]
    failure = await me.fails("nodes.create", {"node_type_id": person["id"], "data": {}}, "schema_violation")
    assert failure["fields"] == [{"path": "data", "message": "'name' is a required property"}]
    node = await me.ok("nodes.create", {"node_type_id": person["id"], "data": {"name": "Ada"}})
    await me.fails("nodes.patch", {"id": node["id"], "patch": {"name": None}}, "schema_violation")
    await me.fails("nodes.update", {"id": node["id"], "data": {"name": 5}}, "schema_violation")
    assert (await me.ok("nodes.get", {"id": node["id"]}))["data"] == {"name": "Ada"}
    assert await _counts(product) == [1, 1, 0]


async def test_a_pattern_runs_in_linear_time(me: Caller) -> None:
    """(a+)+$ on "aaaa…!" takes Python's re 2^n steps; RE2 answers at once."""
    schema = {"properties": {"s": {"type": "string", "pattern": "^(a+)+$"}}, "additionalProperties": False,
              "patternProperties": {"^(b+)+$": {}}}  # fmt: skip
    kind = await me.ok("node_types.create", {"name": "evil", "schema": schema})
    data = {"s": "a" * 5000 + "!", "b" * 5000 + "!": 1}
    failure = await me.fails("nodes.create", {"node_type_id": kind["id"], "data": data}, "schema_violation")
    assert sorted(f["path"] for f in failure["fields"]) == ["data", "data.s"]


def _branching_schema(levels: int) -> dict[str, Any]:
    """anyOf of two references to the next level, `levels` deep, ending in false: 2^levels paths."""
    defs: dict[str, Any] = {f"l{n}": {"anyOf": [{"$ref": f"#/$defs/l{n + 1}"}] * 2} for n in range(levels)}
    defs[f"l{levels}"] = False
    return {"$defs": defs, "$ref": "#/$defs/l0"}


@pytest.mark.parametrize(
    ("schema", "data", "says"),
    [
        (_branching_schema(40), {}, "takes too long"),
        ({"properties": {"a": {"type": "array", "uniqueItems": True}}}, {"a": [{}] * 20_000}, "non-unique"),
    ],
    ids=["exponential", "quadratic-unique"],
)
async def test_a_costly_schema_ends_quickly_as_a_violation(me: Caller, schema: Any, data: Any, says: str) -> None:
    kind = await me.ok("node_types.create", {"name": "costly", "schema": schema})
    failure = await me.fails("nodes.create", {"node_type_id": kind["id"], "data": data}, "schema_violation")
    assert says in failure["fields"][0]["message"], failure


async def test_an_unknown_node_type_is_not_found(me: Caller, product: ProductHarness) -> None:
    missing = "nty_" + "0" * 26
    failure = await me.fails("nodes.create", {"node_type_id": missing, "data": {}}, "node_type_not_found")
    if me.transport == "jsonrpc":
        assert failure["jsonrpc_code"] == -32001
    assert await _counts(product) == [0, 0, 0]


async def test_an_oversize_or_too_deep_document_is_refused(me: Caller, product: ProductHarness) -> None:
    kind = await me.ok("node_types.create", {"name": "blob"})
    big = {"text": "x" * (schemas.MAX_DOCUMENT_BYTES + 1)}
    failure = await me.fails("nodes.create", {"node_type_id": kind["id"], "data": big}, "document_too_large")
    assert (failure["field"], failure["limit"]) == ("data", schemas.MAX_DOCUMENT_BYTES)
    deep: dict[str, Any] = {}
    for _ in range(schemas.MAX_DEPTH + 1):
        deep = {"d": deep}
    failure = await me.fails("nodes.create", {"node_type_id": kind["id"], "data": deep}, "document_too_large")
    assert failure["limit"] == schemas.MAX_DEPTH
    node = await me.ok("nodes.create", {"node_type_id": kind["id"], "data": {"text": "small"}})
    half = {"text": "x" * (schemas.MAX_DOCUMENT_BYTES // 2 + 10)}
    await me.ok("nodes.patch", {"id": node["id"], "patch": {"more": half["text"]}})
    await me.fails("nodes.patch", {"id": node["id"], "patch": half}, "document_too_large")  # the merged result
    await me.fails(
        "relationships.create",
        {"source_node_id": node["id"], "target_node_id": node["id"], "type": "self", "data": big},
        "document_too_large",
    )
    assert await _counts(product) == [1, 1, 0]


async def _nodes(me: Caller, type_id: str, datas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [await me.ok("nodes.create", {"node_type_id": type_id, "data": d}) for d in datas]


async def test_listing_pages_by_keyset_with_containment(me: Caller) -> None:
    kind = await me.ok("node_types.create", {"name": "item"})
    other = await me.ok("node_types.create", {"name": "other"})
    made = await _nodes(
        me, kind["id"], [{"n": n, "colour": "red" if n % 2 else "blue", "tags": ["x"]} for n in range(7)]
    )
    await _nodes(me, other["id"], [{"colour": "red"}])
    seen: list[int] = []
    token = None
    while True:
        page = await me.ok("nodes.list", {"node_type_id": kind["id"], "page_size": 3, "page_token": token})
        seen += [n["data"]["n"] for n in page["nodes"]]
        token = page["next_page_token"]
        if token is None:
            break
        # a node added between pages lands after the ones already listed: no page repeats or skips
        if len(seen) == 3:
            made.append(await me.ok("nodes.create", {"node_type_id": kind["id"], "data": {"n": 7}}))
    assert seen == list(range(8))
    red = await me.ok("nodes.list", {"node_type_id": kind["id"], "filter": {"colour": "red"}})
    assert [n["data"]["n"] for n in red["nodes"]] == [1, 3, 5]  # node 7 has no colour
    everywhere = await me.ok("nodes.list", {"filter": {"colour": "red", "tags": ["x"]}, "page_size": 2})
    assert [n["data"]["n"] for n in everywhere["nodes"]] == [1, 3]
    rest = await me.ok(
        "nodes.list", {"filter": {"colour": "red", "tags": ["x"]}, "page_token": everywhere["next_page_token"]}
    )
    assert [n["data"]["n"] for n in rest["nodes"]] == [5]
    assert len((await me.ok("nodes.list", {}))["nodes"]) == 9


async def test_a_tampered_or_foreign_page_token_is_a_clear_400(me: Caller) -> None:
    kind = await me.ok("node_types.create", {"name": "item"})
    await _nodes(me, kind["id"], [{"n": n} for n in range(3)])
    token = (await me.ok("nodes.list", {"page_size": 1}))["next_page_token"]
    assert token
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for bad in (flipped, "AAAA", "x", token + "AA"):
        failure = await me.fails("nodes.list", {"page_size": 1, "page_token": bad}, "invalid_cursor")
        if me.transport == "jsonrpc":
            assert failure["jsonrpc_code"] == -32008
    # a token of one list is not valid for another (other filters, another route)
    await me.fails("nodes.list", {"page_size": 1, "page_token": token, "filter": {"n": 1}}, "invalid_cursor")
    await me.fails("relationships.list", {"page_token": token}, "invalid_cursor")
    await me.fails("node_types.list", {"page_token": token}, "invalid_cursor")
    assert (await me.ok("nodes.list", {"page_size": 1, "page_token": token}))["nodes"]


# --- relationships and walks -----------------------------------------------------------------------


async def test_relationship_lifecycle_and_listing(me: Caller, product: ProductHarness) -> None:
    kind = await me.ok("node_types.create", {"name": "person"})
    a, b, c = await _nodes(me, kind["id"], [{"n": "a"}, {"n": "b"}, {"n": "c"}])
    ab = await me.ok(
        "relationships.create",
        {"source_node_id": a["id"], "target_node_id": b["id"], "type": "knows", "data": {"since": 2020}},
    )
    assert (ab["source_node_id"], ab["target_node_id"], ab["type"], ab["data"]) == (
        a["id"],
        b["id"],
        "knows",
        {"since": 2020},
    )
    ac = await me.ok("relationships.create", {"source_node_id": a["id"], "target_node_id": c["id"], "type": "likes"})
    cb = await me.ok("relationships.create", {"source_node_id": c["id"], "target_node_id": b["id"], "type": "knows"})
    assert ac["data"] is None
    assert await me.ok("relationships.get", {"id": ab["id"]}) == ab
    updated = await me.ok("relationships.update", {"id": ab["id"], "type": "loves"})
    assert (updated["type"], updated["data"]) == ("loves", {"since": 2020})
    cleared = await me.ok("relationships.update", {"id": ab["id"], "data": None})
    assert (cleared["type"], cleared["data"]) == ("loves", None)

    async def ids(body: dict[str, Any]) -> list[str]:
        return [r["id"] for r in (await me.ok("relationships.list", body))["relationships"]]

    assert await ids({"source_node_id": a["id"]}) == [ab["id"], ac["id"]]
    assert await ids({"target_node_id": b["id"]}) == [ab["id"], cb["id"]]
    assert await ids({"type": "knows"}) == [cb["id"]]
    assert await ids({"source_node_id": a["id"], "type": "likes"}) == [ac["id"]]
    assert await ids({"source_node_id": a["id"], "target_node_id": c["id"]}) == [ac["id"]]
    first = await me.ok("relationships.list", {"page_size": 2})
    assert [r["id"] for r in first["relationships"]] == [ab["id"], ac["id"]]
    assert await ids({"page_token": first["next_page_token"]}) == [cb["id"]]

    assert await me.ok("relationships.delete", {"id": ac["id"]}) == {}
    await me.fails("relationships.get", {"id": ac["id"]}, "relationship_not_found")
    await me.fails("relationships.update", {"id": ac["id"], "type": "x"}, "relationship_not_found")
    await me.fails("relationships.delete", {"id": ac["id"]}, "relationship_not_found")
    # deleting a node deletes its relationships in the same transaction
    await me.ok("nodes.delete", {"id": b["id"]})
    assert await _counts(product) == [1, 2, 0]


async def test_neighbours_in_each_direction(me: Caller) -> None:
    kind = await me.ok("node_types.create", {"name": "person"})
    a, b, c = await _nodes(me, kind["id"], [{"n": "a"}, {"n": "b"}, {"n": "c"}])
    ab = await me.ok("relationships.create", {"source_node_id": a["id"], "target_node_id": b["id"], "type": "knows"})
    ca = await me.ok("relationships.create", {"source_node_id": c["id"], "target_node_id": a["id"], "type": "likes"})

    async def around(body: dict[str, Any]) -> list[tuple[str, str]]:
        page = await me.ok("nodes.neighbours", {"id": a["id"], **body})
        return [(n["relationship"]["id"], n["node"]["data"]["n"]) for n in page["neighbours"]]

    assert await around({}) == [(ab["id"], "b"), (ca["id"], "c")]
    assert await around({"direction": "out"}) == [(ab["id"], "b")]
    assert await around({"direction": "in"}) == [(ca["id"], "c")]
    assert await around({"type": "likes"}) == [(ca["id"], "c")]
    page = await me.ok("nodes.neighbours", {"id": a["id"], "page_size": 1})
    rest = await me.ok("nodes.neighbours", {"id": a["id"], "page_size": 1, "page_token": page["next_page_token"]})
    assert [n["node"]["data"]["n"] for n in rest["neighbours"]] == ["c"] and rest["next_page_token"] is None
    await me.fails("nodes.neighbours", {"id": "nod_" + "0" * 26}, "node_not_found")


async def test_traversal_is_bounded_and_walks_a_cycle_once(me: Caller) -> None:
    kind = await me.ok("node_types.create", {"name": "step"})
    nodes = await _nodes(me, kind["id"], [{"n": n} for n in range(5)])
    # 0 -> 1 -> 2 -> 3 -> 0 (a cycle), 3 -> 4, and 2 -> 0 (another way back)
    for s, t_ in ((0, 1), (1, 2), (2, 3), (3, 0), (3, 4), (2, 0)):
        await me.ok(
            "relationships.create",
            {"source_node_id": nodes[s]["id"], "target_node_id": nodes[t_]["id"], "type": "next"},
        )

    async def walk(body: dict[str, Any]) -> tuple[list[tuple[int, int]], bool]:
        answer = await me.ok("nodes.traverse", {"id": nodes[0]["id"], **body})
        return [(r["node"]["data"]["n"], r["depth"]) for r in answer["nodes"]], answer["truncated"]

    assert await walk({"max_depth": 10}) == ([(1, 1), (2, 2), (3, 3), (4, 4)], False)
    assert await walk({"max_depth": 2}) == ([(1, 1), (2, 2)], False)
    assert await walk({"max_depth": 10, "limit": 2}) == ([(1, 1), (2, 2)], True)
    assert await walk({"max_depth": 1, "direction": "in"}) == ([(2, 1), (3, 1)], False)
    assert await walk({"max_depth": 10, "direction": "both", "type": "none"}) == ([], False)
    failure = await me.fails("nodes.traverse", {"id": nodes[0]["id"], "max_depth": 11}, "invalid_input")
    assert [f["path"] for f in failure["fields"]] == ["max_depth"]


async def test_another_orgs_node_is_not_found_even_as_an_endpoint(product: ProductHarness, me: Caller) -> None:
    them = await _caller(product, me.transport)
    their_kind = await them.ok("node_types.create", {"name": "secret"})
    theirs = await them.ok("nodes.create", {"node_type_id": their_kind["id"], "data": {"s": "B secret"}})
    kind = await me.ok("node_types.create", {"name": "mine"})
    mine = await me.ok("nodes.create", {"node_type_id": kind["id"], "data": {}})
    for body, field in (
        ({"source_node_id": mine["id"], "target_node_id": theirs["id"]}, "target_node_id"),
        ({"source_node_id": theirs["id"], "target_node_id": mine["id"]}, "source_node_id"),
    ):
        failure = await me.fails("relationships.create", {**body, "type": "x"}, "node_not_found")
        assert failure["field"] == field
    their_rel = await them.ok(
        "relationships.create", {"source_node_id": theirs["id"], "target_node_id": theirs["id"], "type": "self"}
    )
    await me.fails("nodes.get", {"id": theirs["id"]}, "node_not_found")
    await me.fails("nodes.neighbours", {"id": theirs["id"]}, "node_not_found")
    await me.fails("nodes.traverse", {"id": theirs["id"]}, "node_not_found")
    await me.fails("relationships.get", {"id": their_rel["id"]}, "relationship_not_found")
    await me.fails("nodes.create", {"node_type_id": their_kind["id"], "data": {}}, "node_type_not_found")
    assert (await me.ok("nodes.list", {"filter": {"s": "B secret"}}))["nodes"] == []
    assert (await me.ok("nodes.list", {"node_type_id": their_kind["id"]}))["nodes"] == []
    for body in ({"source_node_id": theirs["id"]}, {"target_node_id": theirs["id"]}, {"type": "self"}):
        assert (await me.ok("relationships.list", body))["relationships"] == []
    # a page token of theirs does not open their list to me
    await them.ok("nodes.create", {"node_type_id": their_kind["id"], "data": {"s": "B secret 2"}})
    token = (await them.ok("nodes.list", {"page_size": 1}))["next_page_token"]
    await me.fails("nodes.list", {"page_size": 1, "page_token": token}, "invalid_cursor")
    assert await _counts(product) == [2, 3, 1]


async def test_the_database_refuses_a_relationship_across_orgs(product: ProductHarness) -> None:
    """Even the owner role, which bypasses RLS, cannot point a relationship at another org's node:
    the foreign key includes org_id."""
    t = product.t
    a, b = await t.factory.org(), await t.factory.org()
    owner = t.db.owner
    now = t.clock.now()
    ids = []
    for org in (a, b):
        kind = await owner.fetchval(
            "INSERT INTO graph_node_types (org_id, name, schema, created_at, updated_at)"
            " VALUES ($1, 'k', '{}', $2, $2) RETURNING id", org.id, now,
        )  # fmt: skip
        ids.append(await owner.fetchval(
            "INSERT INTO graph_nodes (org_id, node_type_id, data, created_at, updated_at)"
            " VALUES ($1, $2, '{}', $3, $3) RETURNING id", org.id, kind, now,
        ))  # fmt: skip
    with pytest.raises(Exception, match="graph_relationships_target_fkey"):
        await owner.execute(
            "INSERT INTO graph_relationships (org_id, source_id, target_id, type, created_at, updated_at)"
            " VALUES ($1, $2, $3, 'x', $4, $4)", a.id, ids[0], ids[1], now,
        )  # fmt: skip


# --- races -----------------------------------------------------------------------------------------


@pytest.fixture
async def roomy(t) -> AsyncIterator[ProductHarness]:
    async with product_harness(t, DATABASE_POOL_SIZE="12") as harness:
        yield harness


@pytest.mark.parametrize("cascade", [False, True])
async def test_deleting_a_type_while_nodes_are_added_leaves_no_orphan(roomy: ProductHarness, cascade: bool) -> None:
    me = await _caller(roomy, "rpc")
    for _ in range(3):
        kind = await me.ok("node_types.create", {"name": "racy"})
        creations = [me.call("nodes.create", {"node_type_id": kind["id"], "data": {"n": n}}) for n in range(10)]
        deletions = [me.call("node_types.delete", {"id": kind["id"], "cascade": cascade}) for _ in range(2)]
        answers = await asyncio.gather(*creations[:5], *deletions, *creations[5:])
        codes = {failure["code"] for _, failure in answers if failure}
        assert codes <= {"node_type_not_found", "node_type_in_use"}, codes
        orphans = await roomy.t.db.owner.fetchval(
            "SELECT count(*) FROM graph_nodes n WHERE NOT EXISTS"
            " (SELECT 1 FROM graph_node_types t WHERE t.org_id = n.org_id AND t.id = n.node_type_id)"
        )
        assert orphans == 0
        deleted = await roomy.t.db.owner.fetchval("SELECT count(*) = 0 FROM graph_node_types WHERE id = $1", kind["id"])
        if deleted:
            continue
        await me.ok("node_types.delete", {"id": kind["id"], "cascade": True})


async def test_two_creations_of_one_name_make_one_type_and_a_clean_409(roomy: ProductHarness) -> None:
    me = await _caller(roomy, "rpc")
    answers = await asyncio.gather(*(me.call("node_types.create", {"name": "same"}) for _ in range(8)))
    assert (
        sorted(failure["code"] if failure else "created" for _, failure in answers)
        == ["created"] + ["node_type_name_taken"] * 7
    )
    assert await roomy.t.db.owner.fetchval("SELECT count(*) FROM graph_node_types") == 1


async def test_two_renames_to_one_name_leave_one_and_a_clean_409(roomy: ProductHarness) -> None:
    me = await _caller(roomy, "rpc")
    kinds = [await me.ok("node_types.create", {"name": f"kind {n}"}) for n in range(6)]
    answers = await asyncio.gather(*(me.call("node_types.update", {"id": k["id"], "name": "same"}) for k in kinds))
    assert sorted(failure["code"] if failure else "renamed" for _, failure in answers) == [
        "node_type_name_taken"
    ] * 5 + ["renamed"]
    assert await roomy.t.db.owner.fetchval("SELECT count(*) FROM graph_node_types WHERE name = 'same'") == 1


async def test_concurrent_merge_patches_each_apply(roomy: ProductHarness) -> None:
    """The node is locked while a patch merges: ten patches of ten keys keep all ten."""
    me = await _caller(roomy, "rpc")
    kind = await me.ok("node_types.create", {"name": "counter"})
    node = await me.ok("nodes.create", {"node_type_id": kind["id"], "data": {}})
    await asyncio.gather(*(me.ok("nodes.patch", {"id": node["id"], "patch": {f"k{n}": n}}) for n in range(10)))
    assert (await me.ok("nodes.get", {"id": node["id"]}))["data"] == {f"k{n}": n for n in range(10)}


def test_a_long_enum_is_charged_by_its_length() -> None:
    """Review finding: a 200-member enum cost one keyword check, so 10,000 nodes under it stayed
    within the check budget while holding the worker for seconds."""
    heavy = {"type": "object", "properties": {"a": {"enum": [{"k": [*range(40), i]} for i in range(200)]}}}
    assert schemas.violations(heavy, {"a": {"k": [*range(40), 199]}}) == []
    assert schemas.spent() >= 200


async def test_a_schema_change_stops_at_its_time_budget(
    product: ProductHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = await _caller(product, "rpc")
    created = await me.ok("node_types.create", {"name": "thing", "schema": {"type": "object"}})
    await me.ok("nodes.create", {"node_type_id": created["id"], "data": {"a": 1}})
    monkeypatch.setattr(graph_routes, "MAX_REVALIDATION_SECONDS", 0.0)  # spent before the first node
    stricter = {"type": "object", "required": ["a"]}
    await me.fails("node_types.update", {"id": created["id"], "schema": stricter}, "too_many_nodes_to_revalidate")
    monkeypatch.setattr(graph_routes, "MAX_REVALIDATION_SECONDS", 1.0)
    assert (await me.ok("node_types.update", {"id": created["id"], "schema": stricter}))["schema"] == stricter
