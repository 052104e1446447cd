"""The RPC generators: fresh output, unique names, and the contract's content."""

import json

import msgspec
import pytest

from foundation.errors import Conflict
from foundation.rpc import Req, Router
from foundation.rpc.routes import Empty
from tools.codegen_rpc.__main__ import outputs
from tools.codegen_rpc.contract import build_contract
from tools.codegen_rpc.model import AppRoutes, ContractError, load
from tools.codegen_rpc.openapi import DECIMAL, NO_NUL, build_openapi
from tools.codegen_rpc.typescript import build_typescript


def test_committed_files_are_fresh() -> None:
    stale = [str(path) for path, text in outputs().items() if not path.exists() or path.read_text() != text]
    assert stale == [], "run `just codegen-rpc` and commit the result"


def test_the_contract_lists_routes_with_auth_types_and_errors() -> None:
    contract = build_contract(load("demo"))
    invite = next(r for r in contract["routes"] if r["name"] == "demo.invite")
    assert invite["auth"] == "public"
    assert invite["methods"] == ["POST"]
    assert invite["input"] == {"$ref": "#/components/schemas/TeamInviteIn"}
    seats = next(e for e in invite["errors"] if e["code"] == "seats_exhausted")
    assert seats == {"code": "seats_exhausted", "status": 409, "common": False, "fields": "SeatsExhaustedFields"}
    assert "Everything" in contract["schemas"]
    note_count = next(r for r in contract["routes"] if r["name"] == "demo.note_count")
    assert (note_count["auth"], note_count["methods"]) == ("organization", ["POST", "GET"])


def test_openapi_has_a_path_per_route_and_every_error_status() -> None:
    document = build_openapi(build_contract(load("demo")))
    assert document["openapi"] == "3.1.0"
    invite = document["paths"]["/rpc/demo.invite"]["post"]
    assert {"200", "400", "401", "403", "404", "405", "409", "413", "415", "429", "500", "503", "504"} <= set(
        invite["responses"]
    )
    assert "get" in document["paths"]["/rpc/demo.ping"]
    assert document["paths"]["/rpc/demo.count"]["post"]["responses"]["200"]["content"].keys() == {"text/event-stream"}
    json.dumps(document)  # serialisable as is


def test_each_error_status_describes_the_envelope_of_exactly_its_codes() -> None:
    document = build_openapi(build_contract(load("demo")))
    schemas = document["components"]["schemas"]
    conflict = document["paths"]["/rpc/demo.invite"]["post"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope.seats_exhausted"
    }
    error = schemas["ErrorEnvelope.seats_exhausted"]["properties"]["error"]
    assert error["properties"]["code"] == {"const": "seats_exhausted"}
    assert error["allOf"] == [{"$ref": "#/components/schemas/SeatsExhaustedFields"}]
    assert "allOf" not in schemas["ErrorEnvelope.internal"]["properties"]["error"]


def test_openapi_states_the_dispatchers_rules_for_text_and_get_input() -> None:
    document = build_openapi(build_contract(load("demo")))
    everything = document["components"]["schemas"]["Everything"]["properties"]
    assert everything["text"]["pattern"] == NO_NUL  # PostgreSQL text cannot hold a NUL
    assert everything["tags"]["items"]["pattern"] == NO_NUL
    assert everything["labels"]["propertyNames"] == {"pattern": NO_NUL}
    assert everything["price"]["pattern"] == DECIMAL
    assert "pattern" not in everything["token"]  # a uuid cannot hold one
    [ping_input] = document["paths"]["/rpc/demo.ping"]["get"]["parameters"]
    assert ping_input["required"] is True  # Ping has a required field
    assert ping_input["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/Ping"}}}
    [stats_input] = document["paths"]["/rpc/demo.stream_stats"]["get"]["parameters"]
    assert stats_input["required"] is False  # absent means {}


def _app_with_two_types_named_item() -> AppRoutes:
    router = Router("clash")
    first = msgspec.defstruct("Item", [("a", int)], forbid_unknown_fields=True)
    second = msgspec.defstruct("Item", [("b", str)], forbid_unknown_fields=True)
    both = msgspec.defstruct("Both", [("x", first), ("y", second)], forbid_unknown_fields=True)

    async def handler(req: Req[both]) -> both:  # type: ignore[valid-type]
        return req.body

    router.route("clash.both", auth="public")(handler)
    return AppRoutes("clash", list(router.routes.values()))


def test_two_types_with_one_name_are_an_error_not_an_overwrite() -> None:
    with pytest.raises(ContractError, match="two types are named Item"):
        build_contract(_app_with_two_types_named_item())


def test_declared_errors_become_a_discriminated_union() -> None:
    router = Router("errs")

    class Full(Conflict):
        code = "full"

        class Fields(msgspec.Struct):
            capacity: int

    class Nothing(msgspec.Struct, forbid_unknown_fields=True):
        pass

    @router.route("box.put", auth="user", errors=[Full])
    async def put(req: Req[Nothing]) -> Nothing:
        return req.body

    source = build_typescript(AppRoutes("errs", list(router.routes.values())))
    # A signed-in caller's write route also declares the read-only impersonation's refusal.
    assert (
        'export type BoxPutError = ({ code: "full"; message: string } & FullFields)'
        ' | { code: "read_only_session"; message: string } | CommonError;'
    ) in source
    assert "export interface FullFields {\n  capacity: number;\n}" in source


def test_a_deprecated_route_is_marked_in_the_contract_openapi_and_client() -> None:
    router = Router("old")

    @router.route("box.old", auth="user", deprecated=True)
    async def old(req: Req[Empty]) -> Empty:
        """Use box.new."""
        return req.body

    @router.route("box.new", auth="user")
    async def new(req: Req[Empty]) -> Empty:
        """The replacement."""
        return req.body

    routes = AppRoutes("old", sorted(router.routes.values(), key=lambda r: r.name))
    contract = build_contract(routes)
    by_name = {r["name"]: r for r in contract["routes"]}
    assert by_name["box.old"]["deprecated"] is True
    assert "deprecated" not in by_name["box.new"]  # only where true
    paths = build_openapi(contract)["paths"]
    assert paths["/rpc/box.old"]["post"]["deprecated"] is True
    assert "deprecated" not in paths["/rpc/box.new"]["post"]
    source = build_typescript(routes)
    assert "    box: {\n      /** The replacement. */\n      new: (" in source
    assert "      /**\n       * Use box.new.\n       * @deprecated\n       */\n      old: (" in source


class TreeNode(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    label: str
    children: list["TreeNode"] = []


def test_a_recursive_type_refers_to_itself() -> None:
    router = Router("tree")

    @router.route("tree.get", auth="user")
    async def get(req: Req[TreeNode]) -> TreeNode:
        return req.body

    routes = AppRoutes("tree", list(router.routes.values()))
    children = build_contract(routes)["schemas"]["TreeNode"]["properties"]["children"]
    assert children["items"] == {"$ref": "#/components/schemas/TreeNode"}
    assert "  children?: TreeNode[];" in build_typescript(routes)
