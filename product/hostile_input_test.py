"""Every product route, signed in as an org owner, given hostile bodies: a NUL in each text field,
invalid UTF-8, deep nesting, unknown fields, at /rpc/ and through /jsonrpc. Always an error naming
the field (a 4xx; over JSON-RPC its error object), never an internal error, and nothing written.
Routes come from the registry, so a new route is covered automatically."""

from __future__ import annotations

import typing
from typing import Any

import msgspec
import pytest

from foundation.rpc.routes import RouteSpec
from product.accounts.sessions import COOKIE_NAME
from product.routes import router
from product.testing import TRANSPORTS, ProductHarness, failure_of, post_route, sample_body, signed_in_session

ROUTES = sorted(router.routes.values(), key=lambda r: r.name)


def _text_fields(input_type: Any) -> list[str]:
    """Top-level fields whose type is text (plain or constrained)."""
    if not (isinstance(input_type, type) and issubclass(input_type, msgspec.Struct)):
        return []
    names = []
    for field in msgspec.structs.fields(input_type):
        base = field.type
        if typing.get_origin(base) is typing.Annotated:
            base = typing.get_args(base)[0]
        if base is str:
            names.append(field.encode_name)
    return names


TEXT_FIELDS = [(route, name) for route in ROUTES for name in _text_fields(route.input_type)]


async def _owner_cookie(product: ProductHarness) -> tuple[dict[str, str], str]:
    t = product.t
    org = await t.factory.org()
    user = await t.factory.user()
    await t.factory.membership(org, user, "owner")
    token = await signed_in_session(t, user_id=user.id, org_id=org.id)
    return {"cookie": f"{COOKIE_NAME}={token}", "content-type": "application/json"}, org.id


async def _row_counts(product: ProductHarness) -> list[int]:
    tables = ["orgs", "users", "memberships", "invites", "sessions", "user_tokens", "org_notes"]
    tables += ["graph_node_types", "graph_nodes", "graph_relationships"]
    return [await product.t.db.owner.fetchval(f"SELECT count(*) FROM {table}") for table in tables]


def test_text_fields_are_found() -> None:
    assert ("orgs.rename", "name") in {(r.name, f) for r, f in TEXT_FIELDS}
    assert ("auth.signup", "display_name") in {(r.name, f) for r, f in TEXT_FIELDS}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("route", "field"), TEXT_FIELDS, ids=lambda v: v if isinstance(v, str) else v.name)
async def test_a_nul_in_any_text_field_is_refused_naming_it(
    product: ProductHarness, route: RouteSpec, field: str, transport: str
):
    headers, org_id = await _owner_cookie(product)
    body = sample_body(route.input_type, "", {"org": org_id}) or {}
    body[field] = "a\u0000b"
    before = await _row_counts(product)
    response = await post_route(product.http, transport, route.name, msgspec.json.encode(body), headers)
    failure = failure_of(transport, response)
    if transport == "jsonrpc" and route.streaming:  # a stream is not callable over JSON-RPC at all
        assert failure is not None and failure["jsonrpc_code"] == -32601, response.text
        return
    assert failure is not None and failure["code"] == "invalid_input", response.text
    assert transport == "jsonrpc" or response.status_code == 400
    assert field in [f["path"] for f in failure["fields"]]
    assert await _row_counts(product) == before


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
async def test_invalid_utf8_deep_nesting_and_unknown_fields_are_4xx(
    product: ProductHarness, route: RouteSpec, transport: str
):
    headers, org_id = await _owner_cookie(product)
    before = await _row_counts(product)
    bodies = [
        b'{"x": "\xff\xfe"}',
        b"[" * 1000 + b"]" * 1000,
        b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        msgspec.json.encode({**(sample_body(route.input_type, "", {"org": org_id}) or {}), "org_id_extra": "x"}),
    ]
    for body in bodies:
        response = await post_route(product.http, transport, route.name, body, headers)
        failure = failure_of(transport, response)
        assert failure is not None and failure["code"] != "internal", (route.name, body[:30], response.text)
        if transport == "rpc":
            assert 400 <= response.status_code < 500, (route.name, body[:30], response.text)
        elif route.streaming:  # not callable here, whatever the params (unless they are not JSON at all)
            assert failure["jsonrpc_code"] in (-32601, -32700), (route.name, body[:30], response.text)
        else:
            assert failure["jsonrpc_code"] in (-32700, -32602), (route.name, body[:30], response.text)
    assert await _row_counts(product) == before


async def test_orgs_delete_with_another_orgs_id_is_refused_not_a_delete_of_my_own(product: ProductHarness) -> None:
    headers, _ = await _owner_cookie(product)
    other = await product.t.factory.org()
    response = await product.http.post(
        "/rpc/orgs.delete", content=msgspec.json.encode({"org_id": other.id}), headers=headers
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == [{"path": "org_id", "message": "Unknown field"}]
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM orgs") == 2
