"""Test helpers for panopticon's support tools: call a route as a signed-in administrator, read
the audit rows an action wrote."""

from __future__ import annotations

import json
from typing import Any

import httpx

from database.testing.fixture import T

ORIGIN = {"origin": "https://panopticon.test"}


async def call(client: httpx.AsyncClient, route: str, **body: Any) -> httpx.Response:
    return await client.post(f"/rpc/{route}", json=body, headers=ORIGIN)


async def ok(client: httpx.AsyncClient, route: str, **body: Any) -> Any:
    response = await call(client, route, **body)
    assert response.status_code == 200, (route, response.text)
    return response.json()


async def error_code(client: httpx.AsyncClient, route: str, **body: Any) -> tuple[int, str]:
    response = await call(client, route, **body)
    assert response.status_code >= 400, (route, response.text)
    return response.status_code, response.json()["error"]["code"]


_COLUMNS = "id, seq, at, actor_user_id, actor_admin_id, acting_as_user_id, action, target, reason, request_id,"
_COLUMNS += " client_address, before, after"


async def audit_rows(t: T, action: str) -> list[dict[str, Any]]:
    """Every chain's rows of `action`, oldest first (by time, then chain order), read as the owner;
    `before`/`after` decoded."""
    org = await t.db.owner.fetch(f"SELECT org_id AS chain, {_COLUMNS} FROM audit_log WHERE action = $1", action)
    platform = await t.db.owner.fetch(f"SELECT chain, {_COLUMNS} FROM platform_audit_log WHERE action = $1", action)
    rows = sorted([dict(r) for r in [*org, *platform]], key=lambda r: (r["at"], r["chain"], r["seq"]))
    for row in rows:
        for key in ("before", "after"):
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
    return rows
