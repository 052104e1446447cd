"""A client written for the reference service, calling its tenant and user methods at /jsonrpc
with a personal access token and with an organization's API key, unchanged: named params,
results wrapped in the entity's name, `pagination` with page tokens, and -32001 for any tenant
that is not the key's."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import msgspec
import pytest

from product.reference_api.methods import METHODS
from product.routes import router
from product.testing import ProductHarness


class ReferenceClient:
    """What such a client does: POST /jsonrpc with a bearer token, one call at a time."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.token = token
        self.ids = itertools.count(1)

    async def raw(self, method: str, params: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/jsonrpc",
            json={"jsonrpc": "2.0", "method": method, "params": params, "id": next(self.ids)},
            headers={"authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def call(self, method: str, **params: Any) -> Any:
        answer = await self.raw(method, params)
        assert "result" in answer, answer
        return answer["result"]

    async def error(self, method: str, **params: Any) -> dict[str, Any]:
        answer = await self.raw(method, params)
        assert "error" in answer, answer
        return answer["error"]


async def _personal_token(product: ProductHarness, email: str = "owner@example.com") -> str:
    await product.sign_up_and_in(product.http, email, "Owner")
    response = await product.http.post("/rpc/personal_tokens.create", json={"name": "script", "scope": "write"})
    assert response.status_code == 200, response.text
    return response.json()["token"]


async def _org_key(product: ProductHarness, org_id: str) -> str:
    assert (await product.http.post("/rpc/orgs.switch", json={"org_id": org_id})).status_code == 200
    response = await product.http.post("/rpc/api_keys.create", json={"name": "server", "scope": "write"})
    assert response.status_code == 200, response.text
    return response.json()["token"]


def test_every_method_is_served_by_a_route_of_the_product() -> None:
    for name, method in METHODS.items():
        assert router.aliases[name].route == method.route
        assert method.route in router.routes, name


async def test_tenant_methods_with_a_personal_access_token(product: ProductHarness) -> None:
    async with product.client() as http:
        client = ReferenceClient(http, await _personal_token(product))
        created = (await client.call("create_tenant", slug="acme", name="Acme"))["tenant"]
        assert created["name"] == "Acme" and created["slug"] == "acme" and created["status"] == "active"
        tenant_id = created["id"]
        got = (await client.call("get_tenant", id=tenant_id))["tenant"]
        assert got["slug"] == "acme" and got["role"] == "owner"
        updated = (await client.call("update_tenant", id=tenant_id, name="Acme Ltd", slug="acme-ltd"))["tenant"]
        assert (updated["name"], updated["slug"]) == ("Acme Ltd", "acme-ltd")
        refused = await client.error("update_tenant", id=tenant_id, status="suspended")
        assert refused["code"] == -32602 and refused["data"]["fields"][0]["path"] == "status"

        others = [(await client.call("create_tenant", slug=f"t{i}", name=f"T{i}"))["tenant"]["id"] for i in range(4)]
        seen, token = [], None
        while True:
            page = await client.call("list_tenants", pagination={"page_size": 2, "page_token": token})
            seen += [t["id"] for t in page["tenants"]]
            token = page["next_page_token"]
            if token is None:
                break
        assert sorted(seen) == sorted([tenant_id, *others]) and len(seen) == 5

        assert await client.call("delete_tenant", id=others[0]) == {"success": True}
        missing = await client.error("get_tenant", id=others[0])
        assert missing["code"] == -32001 and missing["data"]["code"] == "tenant_not_found"


async def test_user_methods_with_an_org_key(product: ProductHarness) -> None:
    pat = await _personal_token(product)
    async with product.client() as http:
        tenant_id = (await ReferenceClient(http, pat).call("create_tenant", slug="acme", name="Acme"))["tenant"]["id"]
        client = ReferenceClient(http, await _org_key(product, tenant_id))
        user = (await client.call("create_user", email="Ada@Example.com", display_name="Ada"))["user"]
        assert (user["email"], user["display_name"], user["role"]) == ("ada@example.com", "Ada", "member")
        # An account without a password: its owner sets one by the reset flow.
        code = await product.last_code("ada@example.com")
        response = await http.post(
            "/rpc/auth.password.reset_confirm", json={"token": code, "new_password": "a new pass phrase"}
        )
        assert response.status_code == 200, response.text
        assert (await client.call("get_user", id=user["id"]))["user"]["email"] == "ada@example.com"
        changed = (await client.call("update_user", id=user["id"], display_name="Ada L."))["user"]
        assert changed["display_name"] == "Ada L."
        taken = await client.error("create_user", email="owner@example.com", display_name="Again")
        assert taken["code"] == -32004 and taken["data"]["code"] == "email_taken"

        users = (await client.call("list_users"))["users"]
        assert sorted(u["email"] for u in users) == ["ada@example.com", "owner@example.com"]
        same = await client.call("list_tenant_users", tenant_id=tenant_id, pagination={"page_size": 1})
        assert len(same["users"]) == 1 and same["next_page_token"] is not None

        assert await client.call("remove_user_from_tenant", tenant_id=tenant_id, user_id=user["id"]) == {
            "success": True
        }
        assert (await client.error("get_user", id=user["id"]))["code"] == -32001
        back = await client.call("add_user_to_tenant", tenant_id=tenant_id, user_id=user["id"], role="admin")
        assert back == {"membership": {"tenant_id": tenant_id, "user_id": user["id"], "role": "admin"}}
        assert await client.call("delete_user", id=user["id"]) == {"success": True}

        # Tenant methods are for people: an organization's key is refused.
        refused = await client.error("get_tenant", id=tenant_id)
        assert refused["code"] == -32003 and refused["data"]["code"] == "personal_token_required"


async def test_a_tenant_that_is_not_the_keys_is_not_found_and_untouched(product: ProductHarness) -> None:
    pat = await _personal_token(product)
    async with product.client() as http:
        mine = ReferenceClient(http, pat)
        a = (await mine.call("create_tenant", slug="a", name="A"))["tenant"]["id"]
        client = ReferenceClient(http, await _org_key(product, a))
        stranger = product.client()
        await product.sign_up_and_in(stranger, "b@example.com")
        b = (await stranger.post("/rpc/orgs.create", json={"name": "B"})).json()["id"]
        b_user = await product.t.db.owner.fetchval("SELECT id FROM users WHERE email = 'b@example.com'")
        for method, params in (
            ("list_tenant_users", {"tenant_id": b}),
            ("add_user_to_tenant", {"tenant_id": b, "user_id": b_user}),
            ("remove_user_from_tenant", {"tenant_id": b, "user_id": b_user}),
        ):
            error = await client.error(method, **params)
            assert error["code"] == -32001 and error["data"]["code"] == "tenant_not_found", (method, error)
            assert "b@example.com" not in str(error)
        for method in ("get_tenant", "update_tenant", "delete_tenant"):
            error = await mine.error(method, id=b)
            assert error["code"] == -32001, (method, error)
        assert (await client.error("get_user", id=b_user))["code"] == -32001
        assert (await client.error("update_user", id=b_user, display_name="Hijacked"))["code"] == -32001
        assert await product.t.db.owner.fetchval("SELECT count(*) FROM memberships WHERE org_id = $1", b) == 1
        assert await product.t.db.owner.fetchval("SELECT name FROM orgs WHERE id = $1", b) == "B"


@pytest.mark.parametrize(
    ("method", "params", "path"),
    [
        ("get_user", {"id": "usr_" + "0" * 26, "extra": 1}, "extra"),
        ("list_users", {"pagination": {"page_size": 0}}, "pagination.page_size"),
        ("list_users", {"pagination": {"page_size": True}}, "pagination.page_size"),
        ("list_users", {"pagination": {"page_token": "usr_' OR 1=1 --"}}, "pagination.page_token"),
        ("list_users", {"pagination": {"page_token": "org_" + "0" * 26}}, "pagination.page_token"),
        ("list_users", {"pagination": [1, 2]}, "pagination"),
        ("list_users", {"pagination": {"cursor": "x"}}, "pagination.cursor"),
        ("list_tenant_users", {}, "tenant_id"),
        ("list_tenant_users", {"tenant_id": 7}, "tenant_id"),
        ("create_user", {"email": "a\u0000b@example.com", "display_name": "x"}, "email"),
        ("create_user", {"email": "a@example.com", "display_name": "x" * 201}, "display_name"),
    ],
)
async def test_bad_params_are_invalid_params_naming_the_field(
    product: ProductHarness, method: str, params: dict[str, Any], path: str
) -> None:
    pat = await _personal_token(product)
    async with product.client() as http:
        tenant_id = (await ReferenceClient(http, pat).call("create_tenant", slug="a", name="A"))["tenant"]["id"]
        client = ReferenceClient(http, await _org_key(product, tenant_id))
        error = await client.error(method, **params)
        assert error["code"] == -32602, error
        assert error["data"]["fields"][0]["path"] == path, error


async def test_params_that_are_not_an_object_are_refused(product: ProductHarness) -> None:
    pat = await _personal_token(product)
    async with product.client() as http:
        client = ReferenceClient(http, pat)
        assert (await client.raw("list_tenants", [1]))["error"]["code"] == -32602
        assert (await client.raw("list_tenants", "x"))["error"]["code"] in (-32600, -32602)


async def test_a_batch_of_reference_calls_each_in_its_own_transaction(product: ProductHarness) -> None:
    pat = await _personal_token(product)
    async with product.client() as http:
        response = await http.post(
            "/jsonrpc",
            json=[
                {"jsonrpc": "2.0", "method": "create_tenant", "params": {"slug": "one", "name": "One"}, "id": 1},
                {"jsonrpc": "2.0", "method": "create_tenant", "params": {"slug": "BAD SLUG", "name": "Two"}, "id": 2},
                {"jsonrpc": "2.0", "method": "list_tenants", "id": 3},
            ],
            headers={"authorization": f"Bearer {pat}"},
        )
        answers = {a["id"]: a for a in response.json()}
        assert answers[1]["result"]["tenant"]["slug"] == "one"
        assert answers[2]["error"]["code"] == -32602
        assert [t["slug"] for t in answers[3]["result"]["tenants"]] == ["one"]


async def test_hostile_params_get_a_4xx_answer_never_an_internal_error(product: ProductHarness) -> None:
    pat = await _personal_token(product)
    async with product.client() as http:
        tenant_id = (await ReferenceClient(http, pat).call("create_tenant", slug="a", name="A"))["tenant"]["id"]
        token = await _org_key(product, tenant_id)
        deep = (
            b'{"jsonrpc":"2.0","method":"list_users","params":{"pagination":' + b"[" * 5000 + b"]" * 5000 + b'},"id":1}'
        )
        huge = {"jsonrpc": "2.0", "method": "get_user", "params": {"id": ["usr_x"] * 50_000}, "id": 2}
        invalid_utf8 = b'{"jsonrpc":"2.0","method":"create_user","params":{"email":"\xff@example.com"},"id":3}'
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        for body in (deep, msgspec.json.encode(huge), invalid_utf8):
            response = await http.post("/jsonrpc", content=body, headers=headers)
            assert response.status_code == 200, response.text
            error = response.json()["error"]
            assert error["code"] in (-32700, -32600, -32602), error
        assert await product.t.db.owner.fetchval("SELECT count(*) FROM users") == 1


async def test_a_read_personal_token_reads_and_cannot_write(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "owner@example.com", "Owner")
    created = (await product.http.post("/rpc/orgs.create", json={"name": "Acme"})).json()
    response = await product.http.post("/rpc/personal_tokens.create", json={"name": "ro", "scope": "read"})
    async with product.client() as http:
        client = ReferenceClient(http, response.json()["token"])
        assert (await client.call("get_tenant", id=created["id"]))["tenant"]["role"] == "owner"  # the user's role
        refused = await client.error("update_tenant", id=created["id"], name="Renamed")
        assert refused["code"] == -32003 and "only read" in refused["message"]
        junk = await http.post(
            "/rpc/orgs.get",
            json={},
            headers={"authorization": f"Bearer {client.token}", "blossom-org": "org_\x01; DROP"},
        )
        assert junk.status_code == 403  # an unreadable organization header names none


async def test_graph_methods_with_an_org_key(product: ProductHarness) -> None:
    pat = await _personal_token(product)
    async with product.client() as http:
        tenant_id = (await ReferenceClient(http, pat).call("create_tenant", slug="g", name="G"))["tenant"]["id"]
        client = ReferenceClient(http, await _org_key(product, tenant_id))
        schema = '{"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}'
        person = (await client.call("create_node_type", tenant_id=tenant_id, name="person", schema=schema))["node_type"]
        assert person["schema"]["required"] == ["name"]  # a string holding JSON, read as JSON
        assert (await client.call("get_node_type", id=person["id"], tenant_id=tenant_id))["node_type"][
            "name"
        ] == "person"
        renamed = await client.call("update_node_type", id=person["id"], tenant_id=tenant_id, description="people")
        assert renamed["node_type"]["description"] == "people"

        ada = await client.call("create_node", tenant_id=tenant_id, node_type_id=person["id"], data='{"name": "Ada"}')
        bob = await client.call("create_node", tenant_id=tenant_id, node_type_id=person["id"], data={"name": "Bob"})
        ada, bob = ada["node"], bob["node"]
        bad = await client.error("create_node", tenant_id=tenant_id, node_type_id=person["id"], data={"name": 7})
        assert bad["data"]["code"] == "schema_violation", bad
        broken = await client.error("create_node", tenant_id=tenant_id, node_type_id=person["id"], data="{not json")
        assert broken["code"] == -32602 and broken["data"]["fields"][0]["path"] == "data"
        updated = await client.call("update_node", id=ada["id"], tenant_id=tenant_id, data={"name": "Ada L."})
        assert updated["node"]["data"] == {"name": "Ada L."}

        knows = await client.call(
            "create_relationship", tenant_id=tenant_id, source_node_id=ada["id"], target_node_id=bob["id"],
            relationship_type="knows", data={"since": 1843},
        )  # fmt: skip
        rel = knows["relationship"]
        assert (rel["relationship_type"], rel["data"]) == ("knows", {"since": 1843})
        got = await client.call("get_relationship", id=rel["id"], tenant_id=tenant_id)
        assert got["relationship"]["source_node_id"] == ada["id"]
        changed = await client.call("update_relationship", id=rel["id"], tenant_id=tenant_id, relationship_type="likes")
        assert changed["relationship"]["relationship_type"] == "likes"
        listed = await client.call("list_relationships", tenant_id=tenant_id, source_node_id=ada["id"])
        assert [r["id"] for r in listed["relationships"]] == [rel["id"]]

        page = await client.call(
            "list_nodes", tenant_id=tenant_id, node_type_id=person["id"], pagination={"page_size": 1}
        )
        assert len(page["nodes"]) == 1 and page["next_page_token"]
        rest = await client.call(
            "list_nodes", tenant_id=tenant_id, node_type_id=person["id"],
            pagination={"page_size": 1, "page_token": page["next_page_token"]},
        )  # fmt: skip
        assert {page["nodes"][0]["id"], rest["nodes"][0]["id"]} == {ada["id"], bob["id"]}
        tampered = await client.error(
            "list_nodes", tenant_id=tenant_id, node_type_id=person["id"],
            pagination={"page_size": 1, "page_token": page["next_page_token"][:-2] + "xx"},
        )  # fmt: skip
        assert tampered["data"]["code"] == "invalid_cursor", tampered
        types = await client.call("list_node_types", tenant_id=tenant_id)
        assert [t["id"] for t in types["node_types"]] == [person["id"]] and types["next_page_token"] is None

        assert await client.call("delete_relationship", id=rel["id"], tenant_id=tenant_id) == {"success": True}
        assert await client.call("delete_node", id=bob["id"], tenant_id=tenant_id) == {"success": True}
        in_use = await client.error("delete_node_type", id=person["id"], tenant_id=tenant_id)
        assert in_use["data"]["code"] == "node_type_in_use"

        # Another tenant's id is not found, whatever the method.
        other = (await ReferenceClient(http, pat).call("create_tenant", slug="h", name="H"))["tenant"]["id"]
        for method, params in (
            ("get_node", {"id": ada["id"], "tenant_id": other}),
            ("list_nodes", {"tenant_id": other}),
            ("create_node_type", {"tenant_id": other, "name": "x"}),
        ):
            error = await client.error(method, **params)
            assert error["code"] == -32001 and error["data"]["code"] == "tenant_not_found", (method, error)
