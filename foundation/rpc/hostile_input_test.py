"""Every byte sequence a client can send gets a 4xx with a message naming the field: NUL in text,
invalid UTF-8, deep nesting, huge arrays of bad items (a bounded error list), unknown fields."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import httpx
import msgspec
import pytest

from foundation.rpc import Empty, Req, Router
from foundation.rpc.dispatch import RpcApp
from foundation.rpc.routes import RouteDeclarationError
from foundation.rpc.validation import MAX_FIELD_ERRORS

router = Router("hostile")


class Member(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(pattern="@")]


class TextIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    tags: list[str] = msgspec.field(default_factory=list)
    labels: dict[str, str] = msgspec.field(default_factory=dict)
    members: list[Member] = msgspec.field(default_factory=list)


class TextOut(msgspec.Struct, frozen=True):
    name: str


@router.route("text.echo", auth="public", read_only=True, max_body=4 << 20)
async def echo(req: Req[TextIn]) -> TextOut:
    return TextOut(name=req.body.name)


@router.route("nothing.at_all", auth="public")
async def nothing(req: Req[Empty]) -> Empty:
    return Empty()


async def _fallback(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def client() -> httpx.AsyncClient:
    app = RpcApp(router, _fallback, strict_errors=True)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def _post(client: httpx.AsyncClient, body: bytes, route: str = "text.echo") -> httpx.Response:
    return await client.post(f"/rpc/{route}", content=body, headers={"content-type": "application/json"})


def _paths(response: httpx.Response) -> list[str]:
    assert response.status_code == 400, response.text
    return [f["path"] for f in response.json()["error"]["fields"]]


async def test_a_nul_character_in_text_is_refused_naming_the_field(client) -> None:
    response = await _post(client, b'{"name": "a\\u0000b"}')
    assert _paths(response) == ["name"]
    assert "NUL" in response.json()["error"]["fields"][0]["message"]


async def test_nul_is_found_in_lists_dict_keys_and_values_and_nested_structs(client) -> None:
    body = (
        b'{"name": "ok", "tags": ["x", "\\u0000"], "labels": {"k\\u0000": "v", "j": "w\\u0000"},'
        b' "members": [{"email": "a@\\u0000"}]}'
    )
    assert _paths(await _post(client, body)) == ["tags[1]", "labels", "labels.j", "members[0].email"]


async def test_an_escaped_backslash_before_u0000_is_ordinary_text(client) -> None:
    response = await _post(client, b'{"name": "C:\\\\u0000"}')
    assert response.status_code == 200
    assert response.json() == {"name": "C:\\u0000"}


async def test_invalid_utf8_is_400_not_500(client) -> None:
    response = await _post(client, b'{"name": "\xff\xfe"}')
    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]["message"]
    assert (await _post(client, b"\xff")).status_code == 400


async def test_invalid_utf8_in_the_query_string_of_a_get_is_400(client) -> None:
    response = await client.get("/rpc/text.echo?input=%7B%22name%22%3A%22%FF%22%7D")
    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]["message"]


@pytest.mark.parametrize("depth", [1_000, 100_000])
async def test_json_nested_very_deeply_is_400(client, depth: int) -> None:
    body = b'{"name": "x", "tags": ' + b"[" * depth + b"]" * depth + b"}"
    response = await _post(client, body)
    assert response.status_code == 400, response.text
    assert _paths(response) == ["tags[0]"] or "nested" in response.json()["error"]["message"]
    deep_unknown = b'{"name": "x", "other": ' + b"[" * depth + b"]" * depth + b"}"
    assert (await _post(client, deep_unknown)).status_code == 400


async def test_a_huge_array_of_bad_items_gets_a_bounded_error_list_with_a_count_of_the_rest(client) -> None:
    members = b",".join([b'{"email": "nope"}'] * 20_000)
    response = await _post(client, b'{"name": "x", "members": [' + members + b"]}")
    error = response.json()["error"]
    assert response.status_code == 400
    assert len(error["fields"]) == MAX_FIELD_ERRORS
    assert error["fields"][0]["path"] == "members[0].email"
    assert error["omitted"] == 20_000 - MAX_FIELD_ERRORS
    assert len(response.content) < 20_000


async def test_unknown_fields_are_refused_even_by_routes_without_input(client) -> None:
    response = await _post(client, b'{"org_id": "org_someone_elses"}', route="nothing.at_all")
    assert _paths(response) == ["org_id"]
    assert (await _post(client, b"{}", route="nothing.at_all")).status_code == 200


class Loose(msgspec.Struct):
    name: str


class Outer(msgspec.Struct, forbid_unknown_fields=True):
    inner: list[Loose]


@dataclasses.dataclass
class LooseDataclass:
    name: str


class WithDataclass(msgspec.Struct, forbid_unknown_fields=True):
    inner: LooseDataclass


def test_a_route_whose_input_accepts_unknown_fields_is_refused_at_declaration() -> None:
    other = Router("other")
    for input_type in (Loose, Outer, WithDataclass):

        async def loose(req):  # annotated below: the input type varies
            return Empty()

        loose.__annotations__ = {"req": Req[input_type], "return": Empty}
        with pytest.raises(RouteDeclarationError, match=r"forbid_unknown_fields=True \((Loose|LooseDataclass)"):
            other.route(f"loose.{input_type.__name__.lower()}", auth="public")(loose)


async def test_an_unknown_fields_name_is_echoed_without_its_nul_and_cut_when_long(client) -> None:
    body = b'{"name": "x", "a\\u0000b": 1, "' + b"k" * 5000 + b'": 2}'
    response = await _post(client, body)
    paths = _paths(response)
    assert paths[0] == "a\\u0000b"  # the six characters, not a NUL
    assert len(paths[1]) == 101 and paths[1].endswith("…")
