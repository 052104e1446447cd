"""Every route the product serves (public, user and organization routes alike), called by the
owner of org A with ids and tokens that belong to org B, at /rpc/ and through /jsonrpc, straight on
PostgreSQL and through PgBouncer in transaction mode, returns nothing of B and changes nothing of
B. Routes are discovered from the registry, so a new route is covered without anyone remembering
to add it here."""

from __future__ import annotations

import typing
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from database import audit
from database.target import PgUrl
from database.testing.fixture import T
from foundation.crypto import new_token, token_digest
from foundation.rpc.routes import RouteSpec
from product.accounts.sessions import COOKIE_NAME
from product.api_keys.bearer import ORG_HEADER
from product.api_keys.testing import api_key_token, personal_token
from product.demo.routes import router as demo_router
from product.orgs import queries as org_queries
from product.routes import router
from product.testing import (
    TRANSPORTS,
    ProductHarness,
    failure_of,
    impersonated_session,
    post_route,
    product_harness,
    signed_in_session,
)


@pytest.fixture(params=["direct", "pgbouncer"])
async def product(request: pytest.FixtureRequest, t: T) -> AsyncIterator[ProductHarness]:
    """The product app straight on PostgreSQL, and again through PgBouncer in transaction mode
    with 3 server connections (which hands each transaction whichever one is free)."""
    if request.param == "direct":
        async with product_harness(t) as harness:
            yield harness
        return
    pooler: PgUrl = request.getfixturevalue("pooler")  # skipped, saying why, without PgBouncer
    async with product_harness(t, APP_DATABASE_URL=pooler.render(), DATABASE_POOLER="transaction") as harness:
        yield harness


SERVED = router.including(demo_router)  # what the product app serves outside production
ROUTES = sorted((r for r in SERVED.routes.values() if not r.streaming), key=lambda r: r.name)


@dataclass
class OrgWorld:
    org: Any
    owner: Any
    member: Any
    membership_id: str
    invite_id: str
    invite_token: str
    note_id: str
    assistant: dict[str, str]  # the assistant's and the graph's ids by prefix (wsp, svc, …, nty, nod, rel)


async def _org_world(t: T, name: str) -> OrgWorld:
    org = await t.factory.org(name=f"{name} Corp")
    owner = await t.factory.user(email=f"owner@{name.lower()}.example", display_name=f"{name} Owner")
    member = await t.factory.user(email=f"member@{name.lower()}.example", display_name=f"{name} Member")
    await t.factory.membership(org, owner, "owner")
    membership = await t.factory.membership(org, member, "member")
    note = await t.factory.note(org, body=f"{name} secret note", author=owner)
    token = new_token()
    async with t.db.owner.acquire() as conn:
        invite = await org_queries.insert_invite(
            conn,
            org_id=org.id,
            email=f"invitee@{name.lower()}.example",
            role="member",
            token_hash=token_digest(token),
            invited_by=owner.id,
            now=t.clock.now(),
            expires_at=t.clock.now() + t.clock.now().resolution * 10**12,
        )
    assert invite is not None
    async with t.db.tenant(user_id=owner.id, org_id=org.id) as conn:  # B's audit log has something to leak
        await audit.record(
            conn, chain=org.id, actor=audit.Actor(user_id=owner.id), action="orgs.rename", target=org.id,
            before={"name": f"{name} secret former name"}, after={"name": org.name}, now=t.clock.now(),
        )  # fmt: skip
    return OrgWorld(org, owner, member, membership.id, invite.id, token, note.id, await _assistant_world(t, org, name))


async def _assistant_world(t: T, org: Any, name: str) -> dict[str, str]:
    """The organization's assistant workspace with a service, a connector, a conversation and a
    message, written as the owner."""
    now = t.clock.now()
    owner = t.db.owner
    wsp = await owner.fetchval(
        "INSERT INTO workspaces (org_id, display_name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
        org.id, f"{name} Assistant", now,
    )  # fmt: skip
    await owner.execute(
        "INSERT INTO workspace_handles (org_id, workspace_id, handle, created_at) VALUES ($1, $2, $3, $4)",
        org.id, wsp, f"{name.lower()}-secret-handle", now,
    )  # fmt: skip
    svc = await owner.fetchval(
        "INSERT INTO services (org_id, workspace_id, name, duration_minutes, price, currency, created_at)"
        " VALUES ($1, $2, $3, 30, 10, 'EUR', $4) RETURNING id",
        org.id, wsp, f"{name} secret service", now,
    )  # fmt: skip
    con = await owner.fetchval(
        "INSERT INTO connectors (org_id, workspace_id, kind, config, active, created_at)"
        " VALUES ($1, $2, 'calendly', $3, true, $4) RETURNING id",
        org.id, wsp, f'{{"type": "calendly", "scheduling_url": "https://calendly.com/{name.lower()}-secret"}}', now,
    )  # fmt: skip
    cnv = await owner.fetchval(
        "INSERT INTO conversations (org_id, workspace_id, visitor_token_hash, created_at) VALUES ($1, $2, $3, $4)"
        " RETURNING id",
        org.id, wsp, token_digest(new_token()), now,
    )  # fmt: skip
    msg = await owner.fetchval(
        "INSERT INTO messages (org_id, conversation_id, role, content, created_at)"
        " VALUES ($1, $2, 'visitor', $3, $4) RETURNING id",
        org.id, cnv, f"{name} secret message", now,
    )  # fmt: skip
    nty = await owner.fetchval(
        "INSERT INTO graph_node_types (org_id, name, schema, created_at, updated_at) VALUES ($1, $2, '{}', $3, $3)"
        " RETURNING id",
        org.id, f"{name} secret node type", now,
    )  # fmt: skip
    nod = await owner.fetchval(
        "INSERT INTO graph_nodes (org_id, node_type_id, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)"
        " RETURNING id",
        org.id, nty, f'{{"secret": "{name} secret node"}}', now,
    )  # fmt: skip
    rel = await owner.fetchval(
        "INSERT INTO graph_relationships (org_id, source_id, target_id, type, created_at, updated_at)"
        " VALUES ($1, $2, $2, $3, $4, $4) RETURNING id",
        org.id, nod, f"{name} secret relationship", now,
    )  # fmt: skip
    return {"wsp": wsp, "svc": svc, "con": con, "cnv": cnv, "msg": msg, "nty": nty, "nod": nod, "rel": rel}


def _sample(annotation: Any, field_name: str, b: OrgWorld) -> Any:
    """A value for one input field that points at org B wherever the field names something."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        pattern = next((m.pattern for m in metadata if isinstance(m, msgspec.Meta) and m.pattern), "") or ""
        for prefix, value in (
            ("^org_", b.org.id),
            ("^mem_", b.membership_id),
            ("^inv_", b.invite_id),
            ("^note_", b.note_id),
            ("^usr_", b.member.id),
            *((f"^{prefix}_", value) for prefix, value in b.assistant.items()),
        ):
            if pattern.startswith(prefix):
                return value
        return _sample(base, field_name, b)
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if annotation is str:
        if "email" in field_name:
            return "probe@elsewhere.example"  # the caller's own input, echoed legitimately
        if "token" in field_name:
            return b.invite_token
        return "Hijacked name"
    if annotation is int:
        return 1
    if annotation is bool:
        return False
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return {f.encode_name: _sample(f.type, f.name, b) for f in msgspec.structs.fields(annotation) if f.required}
    return None


async def _snapshot(t: T, b: OrgWorld) -> list[Any]:
    """Everything of org B, read as the owner (who bypasses RLS)."""
    queries = [
        ("SELECT * FROM orgs WHERE id = $1", b.org.id),
        ("SELECT * FROM memberships WHERE org_id = $1 ORDER BY id", b.org.id),
        ("SELECT id, email, role, status FROM invites WHERE org_id = $1 ORDER BY id", b.org.id),
        ("SELECT * FROM org_notes WHERE org_id = $1 ORDER BY id", b.org.id),
        ("SELECT * FROM audit_log WHERE org_id = $1 ORDER BY seq", b.org.id),
        ("SELECT * FROM audit_heads WHERE org_id = $1", b.org.id),
        ("SELECT id, email, display_name FROM users WHERE id IN ($1, $2) ORDER BY id", b.owner.id),
        *(
            (f"SELECT * FROM {table} WHERE org_id = $1 ORDER BY id", b.org.id)
            for table in (
                "workspaces",
                "workspace_handles",
                "services",
                "connectors",
                "conversations",
                "messages",
                "graph_node_types",
                "graph_nodes",
                "graph_relationships",
            )
        ),
    ]
    rows = []
    for sql, arg in queries:
        args = (arg, b.member.id) if "$2" in sql else (arg,)
        rows.append([dict(r) for r in await t.db.owner.fetch(sql, *args)])
    return rows


def test_every_route_is_covered_whatever_its_auth_level() -> None:
    names = {r.name for r in ROUTES}
    assert {r.auth for r in ROUTES} == {"public", "user", "organization"}
    assert {"orgs.rename", "orgs.delete", "members.list", "members.remove", "invites.cancel"} <= names
    assert {"orgs.switch", "invites.accept", "invites.decline", "auth.sessions.list", "auth.init"} <= names
    assert {"node_types.create", "nodes.list", "nodes.traverse", "relationships.create"} <= names


@pytest.mark.parametrize("session", ["member", "impersonation"])
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
async def test_a_member_of_org_a_cannot_reach_org_b(
    product: ProductHarness, route: RouteSpec, transport: str, session: str
) -> None:
    """`session`: the owner's own session, or an administrator's impersonation of them (with
    writes, the most it may do): an impersonation of a member of A sees nothing of B either."""
    t = product.t
    a = await _org_world(t, "A")
    b = await _org_world(t, "B")
    if session == "member":
        token = await signed_in_session(t, user_id=a.owner.id, org_id=a.org.id)
    else:
        token, _, _ = await impersonated_session(t, user_id=a.owner.id, org_id=a.org.id, writes=True)
    before = await _snapshot(t, b)
    body = _sample(route.input_type, "", b) or {}

    cookie = {"cookie": f"{COOKIE_NAME}={token}"}
    response = await post_route(product.http, transport, route.name, msgspec.json.encode(body), cookie)

    assert response.status_code != 500, response.text
    assert (failure_of(transport, response) or {}).get("code") != "internal", response.text
    text = response.text
    for secret in (
        b.org.id,
        b.org.name,
        b.owner.id,
        b.owner.email,
        b.member.id,
        b.member.email,
        b.membership_id,
        b.invite_id,
        "invitee@b.example",
        "B secret note",
        "B secret former name",
        *b.assistant.values(),
        "b-secret-handle",
        "B secret service",
        "b-secret",
        "B secret message",
        "B secret node",
        "B secret relationship",
    ):
        assert secret not in text, f"{route.name} leaked {secret!r}: {text}"
    assert await _snapshot(t, b) == before, f"{route.name} changed org B"


KEY_ROUTES = [r for r in ROUTES if r.api_keys]


def test_key_routes_include_organization_and_personal_ones() -> None:
    assert {r.api_keys for r in KEY_ROUTES} == {True, "personal"}


@pytest.mark.parametrize("credential", ["org_key", "personal_token", "personal_token_naming_b"])
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("route", KEY_ROUTES, ids=lambda r: r.name)
async def test_an_api_key_of_org_a_cannot_reach_org_b(
    product: ProductHarness, route: RouteSpec, transport: str, credential: str
) -> None:
    """The same, authenticated with a bearer token instead of a cookie: org A's key, A's owner's
    personal token acting in A, and that token naming org B (whose member the owner is not)."""
    t = product.t
    a = await _org_world(t, "A")
    b = await _org_world(t, "B")
    if credential == "org_key":
        headers = {"authorization": f"Bearer {await api_key_token(t, org_id=a.org.id, user_id=a.owner.id)}"}
    else:
        token = await personal_token(t, user_id=a.owner.id)
        named = a.org.id if credential == "personal_token" else b.org.id
        headers = {"authorization": f"Bearer {token}", ORG_HEADER.decode(): named}
    before = await _snapshot(t, b)
    body = _sample(route.input_type, "", b) or {}

    async with product.client() as bare:
        response = await post_route(bare, transport, route.name, msgspec.json.encode(body), headers)

    assert response.status_code != 500, response.text
    assert (failure_of(transport, response) or {}).get("code") != "internal", response.text
    for secret in (b.org.id, b.org.name, b.owner.id, b.owner.email, b.member.id, b.member.email, b.membership_id,
                   b.invite_id, "invitee@b.example", "B secret note"):  # fmt: skip
        assert secret not in response.text, f"{route.name} leaked {secret!r}: {response.text}"
    assert await _snapshot(t, b) == before, f"{route.name} changed org B"
