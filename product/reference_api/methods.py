"""The reference service's JSON-RPC methods (`create_tenant`, `list_users`, `create_node`, ...) at /jsonrpc, each
one row of `METHODS`: the platform route that serves it, how its params become the route's input,
and how the route's output becomes its result. The routes stay the one implementation (their
auth level, API-key rules, RLS, rate limits); this is only renaming and wrapping. README.md says
how to add a method.

- A tenant is an organization. The param naming it (`tenant_id`, or `id` for the tenant
  methods) must be the caller's organization: an organization key's own, or for a personal
  access token one of its user's (the row sends it as the `Blossom-Org` header, which the
  bearer authentication reads); any other is -32001 `tenant_not_found`, before the route runs.
- Tenant methods need a personal access token (or a session), never an organization's key
  (-32003 `personal_token_required`).
- Lists take `pagination: {page_size, page_token}` and answer `next_page_token` (null on the
  last page): a keyset id (tenancy's lists) or the graph's signed cursor.
- Results are wrapped in the entity's name: `{"tenant": {...}}`, `{"users": [...], ...}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from foundation.errors import Forbidden, NotFound
from foundation.rpc.aliases import Headers, JsonRpcAlias
from foundation.rpc.errors import FieldError, ValidationFailed
from foundation.rpc.principal import Principal
from product.api_keys.bearer import ORG_HEADER
from product.rpc import router

_ORG_ID = re.compile(r"^org_[0-9a-hjkmnp-tv-z]{26}$")
DEFAULT_PAGE_SIZE = 50


class TenantNotFound(NotFound):
    """The tenant a call names is not the API key's organization (nor one of its user's)."""

    code = "tenant_not_found"


class PersonalTokenRequired(Forbidden):
    """Tenant methods act for a person: call them with a personal access token."""

    code = "personal_token_required"


def _refuse(path: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(path, message)])


# --- what a row is made of --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pages:
    """How a list route pages: its size and token fields, the largest size, and for keyset pages
    the id prefix a token must have (None: the route checks its own tokens, signed cursors)."""

    size: str
    token: str
    max_size: int
    prefix: str | None = None


def keyset(prefix: str) -> Pages:
    """product/tenancy's lists: `limit`, `after` (the last id of the page before)."""
    return Pages("limit", "after", 100, prefix)


CURSOR = Pages("page_size", "page_token", 200)  # product/graph's lists: signed page tokens


@dataclass(frozen=True)
class Method:
    """One reference method. `params`: each accepted client param and the route field it becomes
    (None: read by the mapping only, such as the tenant id); any other param is refused.
    `tenant`: the client param naming the tenant. `personal`: a tenant method. `page`: how the
    route pages, for a method taking `pagination`. `convert`: a client param's value as the route
    takes it (`json_value`). `check`: more rules on the params.
    `result(output, params)`: the client's result from the route's output."""

    route: str
    params: Mapping[str, str | None]
    result: Callable[[Any, dict[str, Any]], Any]
    tenant: str | None = None
    personal: bool = False
    page: Pages | None = None
    convert: Mapping[str, Callable[[Any, str], Any]] = field(default_factory=dict)
    check: Callable[[dict[str, Any]], None] | None = None
    summary: str = ""
    route_params: Mapping[str, Any] = field(default_factory=dict)  # fixed input the route also gets

    def alias(self) -> JsonRpcAlias:
        return JsonRpcAlias(
            route=self.route,
            params=self._params,
            headers=self._headers,
            admit=self._admit,
            answer=self.result,
            errors=(TenantNotFound, PersonalTokenRequired),
            summary=self.summary,
        )

    def _params(self, given: dict[str, Any]) -> dict[str, Any]:
        allowed = {*self.params, *(("pagination",) if self.page else ())}
        for name in given:
            if name not in allowed:
                raise _refuse(name, f"unknown param; this method takes {', '.join(sorted(allowed)) or 'none'}")
        if self.tenant is not None and not isinstance(given.get(self.tenant), str):
            raise _refuse(self.tenant, "required: the tenant's id (a string)")
        if self.check is not None:
            self.check(given)
        out = dict(self.route_params)
        for name, target in self.params.items():
            if target and name in given:
                convert = self.convert.get(name)
                out[target] = given[name] if convert is None else convert(given[name], name)
        if self.page is not None:
            out.update(_page(given.get("pagination"), self.page))
        return out

    def _headers(self, given: dict[str, Any], headers: Headers) -> Headers:
        tenant = given.get(self.tenant) if self.tenant else None
        if isinstance(tenant, str) and _ORG_ID.match(tenant):
            return {**headers, ORG_HEADER: tenant.encode()}
        return headers

    def _admit(self, given: dict[str, Any], principal: Principal) -> None:
        key = principal.api_key
        if self.personal and key is not None and not key.personal:
            raise PersonalTokenRequired("tenant methods need a personal access token, not an organization's API key")
        if self.tenant is not None and principal.org_id != given[self.tenant]:
            raise TenantNotFound("no such tenant for this API key", tenant_id=str(given[self.tenant])[:100])


def _page(pagination: Any, pages: Pages) -> dict[str, Any]:
    """`{page_size, page_token}` as the route's own fields, each checked where it is."""
    if pagination is None:
        return {pages.size: DEFAULT_PAGE_SIZE}
    if not isinstance(pagination, dict):
        raise _refuse("pagination", "must be an object {page_size, page_token}")
    unknown = set(pagination) - {"page_size", "page_token"}
    if unknown:
        raise _refuse(f"pagination.{sorted(unknown)[0]}", "unknown field; pagination takes page_size and page_token")
    size = pagination.get("page_size")
    if size is None:
        size = DEFAULT_PAGE_SIZE
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= pages.max_size:
        raise _refuse("pagination.page_size", f"must be an integer from 1 to {pages.max_size}")
    token = pagination.get("page_token")
    if token in (None, ""):
        return {pages.size: size}
    valid = r"[A-Za-z0-9_\-]{1,200}" if pages.prefix is None else rf"{pages.prefix}_[0-9a-hjkmnp-tv-z]{{26}}"
    if not isinstance(token, str) or not re.fullmatch(valid, token):
        raise _refuse("pagination.page_token", "not a page token this method gave (tampered or from another list)")
    return {pages.size: size, pages.token: token}


def _active_only(given: dict[str, Any]) -> None:
    if "status" in given and given["status"] != "active":
        raise _refuse("status", "only `active` is supported: a Blossom organization is active until deleted")


# --- the entities, as the reference service's clients read them -------------------------------------


def _tenant(org: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": org["id"],
        "slug": org.get("slug"),
        "name": org["name"],
        "status": "active",
        "role": org["role"],
        **({"created_at": org["created_at"]} if "created_at" in org else {}),
    }


def _user(member: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": member["user_id"],
        "email": member["email"],
        "display_name": member["display_name"],
        "role": member["role"],
        "created_at": member["joined_at"],
    }


def _membership(tenant_param: str) -> Callable[[Any, dict[str, Any]], Any]:
    def result(member: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        return {"membership": {"tenant_id": given[tenant_param], "user_id": member["user_id"], "role": member["role"]}}

    return result


def _one(name: str, shape: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[Any, dict[str, Any]], Any]:
    return lambda output, given: {name: shape(output)}


def _many(name: str, field_name: str, shape: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
    """A page: the route's items under `name`, and its next token (`next_after` or `next_page_token`)."""

    def result(output: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        token = output["next_after"] if "next_after" in output else output.get("next_page_token")
        return {name: [shape(x) for x in output[field_name]], "next_page_token": token}

    return result


def _same(entity: dict[str, Any]) -> dict[str, Any]:
    return entity


def _relationship(rel: dict[str, Any]) -> dict[str, Any]:
    return {**rel, "relationship_type": rel["type"]}


def _deleted_type(output: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, "nodes_deleted": output["nodes_deleted"]}


def _created_tenant(org: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    return {"tenant": _tenant({**org, "slug": given.get("slug")})}


def _done(output: Any, given: dict[str, Any]) -> dict[str, Any]:
    return {"success": True}


def json_value(value: Any, path: str) -> Any:
    """A param that may arrive as JSON or as a string holding JSON (`schema`, `data`)."""
    if not isinstance(value, str):
        return value
    try:
        return msgspec.json.decode(value)
    except (msgspec.DecodeError, RecursionError):
        raise _refuse(path, "a string here must hold JSON") from None


# --- the table --------------------------------------------------------------------------------------

METHODS: dict[str, Method] = {
    # tenants: organizations, for a person (personal access token)
    "create_tenant": Method("orgs.create", {"name": "name", "slug": "slug"}, _created_tenant, personal=True),
    "get_tenant": Method("orgs.get", {"id": None}, _one("tenant", _tenant), tenant="id", personal=True),
    "update_tenant": Method(
        "orgs.update",
        {"id": None, "name": "name", "slug": "slug", "status": None},
        _one("tenant", _tenant),
        tenant="id",
        personal=True,
        check=_active_only,
    ),
    "delete_tenant": Method("orgs.delete", {"id": None}, _done, tenant="id", personal=True),
    "list_tenants": Method("orgs.page", {}, _many("tenants", "orgs", _tenant), personal=True, page=keyset("org")),
    # users: members of the key's organization
    "create_user": Method("members.provision", {"email": "email", "display_name": "display_name"}, _one("user", _user)),
    "get_user": Method("members.get", {"id": "user_id"}, _one("user", _user)),
    "update_user": Method(
        "members.update_managed",
        {"id": "user_id", "email": "email", "display_name": "display_name"},
        _one("user", _user),
    ),
    "delete_user": Method("members.remove_user", {"id": "user_id"}, _done),
    "list_users": Method("members.page", {}, _many("users", "members", _user), page=keyset("usr")),
    "add_user_to_tenant": Method(
        "members.add",
        {"tenant_id": None, "user_id": "user_id", "role": "role"},
        _membership("tenant_id"),
        tenant="tenant_id",
    ),
    "remove_user_from_tenant": Method(
        "members.remove_user", {"tenant_id": None, "user_id": "user_id"}, _done, tenant="tenant_id"
    ),
    "list_tenant_users": Method(
        "members.page", {"tenant_id": None}, _many("users", "members", _user), tenant="tenant_id", page=keyset("usr")
    ),
    # the graph (product/graph): node types, nodes, relationships of the tenant
    "create_node_type": Method(
        "node_types.create",
        {"tenant_id": None, "name": "name", "description": "description", "schema": "schema"},
        _one("node_type", _same),
        tenant="tenant_id",
        convert={"schema": json_value},
    ),
    "get_node_type": Method(
        "node_types.get", {"id": "id", "tenant_id": None}, _one("node_type", _same), tenant="tenant_id"
    ),
    "update_node_type": Method(
        "node_types.update",
        {"id": "id", "tenant_id": None, "name": "name", "description": "description", "schema": "schema"},
        _one("node_type", _same),
        tenant="tenant_id",
        convert={"schema": json_value},
    ),
    "delete_node_type": Method("node_types.delete", {"id": "id", "tenant_id": None}, _deleted_type, tenant="tenant_id"),
    "list_node_types": Method(
        "node_types.list",
        {"tenant_id": None},
        _many("node_types", "node_types", _same),
        tenant="tenant_id",
        page=CURSOR,
    ),
    "create_node": Method(
        "nodes.create",
        {"tenant_id": None, "node_type_id": "node_type_id", "data": "data"},
        _one("node", _same),
        tenant="tenant_id",
        convert={"data": json_value},
    ),
    "get_node": Method("nodes.get", {"id": "id", "tenant_id": None}, _one("node", _same), tenant="tenant_id"),
    "update_node": Method(
        "nodes.update",
        {"id": "id", "tenant_id": None, "data": "data"},
        _one("node", _same),
        tenant="tenant_id",
        convert={"data": json_value},
    ),
    "delete_node": Method("nodes.delete", {"id": "id", "tenant_id": None}, _done, tenant="tenant_id"),
    "list_nodes": Method(
        "nodes.list",
        {"tenant_id": None, "node_type_id": "node_type_id"},
        _many("nodes", "nodes", _same),
        tenant="tenant_id",
        page=CURSOR,
    ),
    "create_relationship": Method(
        "relationships.create",
        {
            "tenant_id": None,
            "source_node_id": "source_node_id",
            "target_node_id": "target_node_id",
            "relationship_type": "type",
            "data": "data",
        },
        _one("relationship", _relationship),
        tenant="tenant_id",
        convert={"data": json_value},
    ),
    "get_relationship": Method(
        "relationships.get", {"id": "id", "tenant_id": None}, _one("relationship", _relationship), tenant="tenant_id"
    ),
    "update_relationship": Method(
        "relationships.update",
        {"id": "id", "tenant_id": None, "relationship_type": "type", "data": "data"},
        _one("relationship", _relationship),
        tenant="tenant_id",
        convert={"data": json_value},
    ),
    "delete_relationship": Method("relationships.delete", {"id": "id", "tenant_id": None}, _done, tenant="tenant_id"),
    "list_relationships": Method(
        "relationships.list",
        {
            "tenant_id": None,
            "source_node_id": "source_node_id",
            "target_node_id": "target_node_id",
            "relationship_type": "type",
        },
        _many("relationships", "relationships", _relationship),
        tenant="tenant_id",
        page=CURSOR,
    ),
}

for _name, _method in METHODS.items():
    router.alias(_name, _method.alias())
