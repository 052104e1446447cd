"""Every panopticon route, signed in as an owner, given hostile bodies: a NUL in each text field,
unknown fields, invalid UTF-8, deep nesting and a huge array, at /rpc/ and through /jsonrpc.
Always a 4xx naming the field (over JSON-RPC its error object), never an internal error, and
nothing written. Routes come from the registry, so a new route is covered automatically (and
`test_every_field_has_a_sample` asks for a sample value for each new field)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from database.testing.fixture import T
from foundation.rpc.routes import RouteSpec
from panopticon.routes import router
from panopticon.testing import panopticon_harness

ROUTES = sorted(router.routes.values(), key=lambda r: r.name)
TRANSPORTS = ("rpc", "jsonrpc")
# A well-formed value for each input field, by name.
SAMPLES: dict[str, Any] = {
    "email": "someone@example.com",
    "password": "a long enough password",
    "code": "c" * 43,
    "totp_code": "123456",
    "recovery_code": None,
    "admin_id": "adm_" + "0" * 26,
    "role": "viewer",
    # support tools
    "query": "ada",
    "cursor": None,
    "limit": None,
    "user_id": "usr_" + "0" * 26,
    "session_id": "ses_" + "0" * 26,
    "org_id": "org_" + "0" * 26,
    "invite_id": "inv_" + "0" * 26,
    "reason": "a support ticket",
    "confirm_name": "Acme",
    "actor": "usr_" + "0" * 26,
    "target": "org_" + "0" * 26,
    "action": "orgs.delete",
    "since": None,
    "until": None,
    # impersonation
    "minutes": 5,
    "writes": False,
    "impersonation_id": "imp_" + "0" * 26,
}
TEXT_FIELDS = {"email", "password", "code", "totp_code", "admin_id"}
TEXT_FIELDS |= {"query", "user_id", "session_id", "org_id", "invite_id", "reason", "confirm_name", "actor", "target"}
TEXT_FIELDS |= {"action", "impersonation_id"}


def _fields(route: RouteSpec) -> list[str]:
    if not (isinstance(route.input_type, type) and issubclass(route.input_type, msgspec.Struct)):
        return []
    return [f.encode_name for f in msgspec.structs.fields(route.input_type)]


def _sample(route: RouteSpec) -> dict[str, Any]:
    return {name: SAMPLES[name] for name in _fields(route) if SAMPLES[name] is not None}


CASES = [(route, name) for route in ROUTES for name in _fields(route) if name in TEXT_FIELDS]


def test_every_field_has_a_sample() -> None:
    missing = {f"{route.name}.{name}" for route in ROUTES for name in _fields(route) if name not in SAMPLES}
    assert not missing, f"add a sample value for {sorted(missing)}"
    assert ("auth.login", "email") in {(r.name, f) for r, f in CASES}


def _envelope(transport: str, name: str, raw: bytes) -> tuple[str, bytes]:
    if transport == "rpc":
        return f"/rpc/{name}", raw
    return "/jsonrpc", b'{"jsonrpc":"2.0","method":"%s","params":%s,"id":1}' % (name.encode(), raw)


def _failure(transport: str, response: Any) -> dict[str, Any] | None:
    if transport == "rpc":
        assert response.status_code < 500, response.text
        return response.json()["error"] if response.status_code >= 400 else None
    assert response.status_code == 200, response.text
    error = response.json().get("error")
    if error is None:
        return None
    data = error.get("data", {})
    return {**data, "code": data.get("code", f"jsonrpc_{error['code']}"), "jsonrpc_code": error["code"]}


async def _counts(t: T) -> list[int]:
    tables = ["admins", "admin_sessions", "admin_enrolment_tokens", "admin_recovery_codes"]
    tables += ["users", "orgs", "memberships", "invites", "sessions", "outbox", "audit_log", "platform_audit_log"]
    return [await t.db.owner.fetchval(f"SELECT count(*) FROM {table}") for table in tables]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_hostile_bodies_are_refused_naming_the_field(t: T, transport: str) -> None:
    async with panopticon_harness(t) as pan, pan.signed_in("owner@example.com", "owner") as (_, owner):
        headers = {"content-type": "application/json", "origin": "https://panopticon.test"}
        before = await _counts(t)
        for route, field in CASES:
            body = {**_sample(route), field: "a\u0000b"}
            path, raw = _envelope(transport, route.name, msgspec.json.encode(body))
            failure = _failure(transport, await owner.post(path, content=raw, headers=headers))
            assert failure is not None and failure["code"] == "invalid_input", (route.name, field, failure)
            assert field in [f["path"] for f in failure["fields"]], (route.name, field, failure)
        for route in ROUTES:
            hostile = {
                "unknown field": (msgspec.json.encode({**_sample(route), "sneaky": 1}), "sneaky"),
                "invalid UTF-8": (b'{"email": "\xff\xfe"}', None),
                "deep nesting": (b'{"x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", None),
                "huge array": (msgspec.json.encode({**_sample(route), "email": ["x"] * 200_000}), None),
            }
            for what, (raw_body, field) in hostile.items():
                path, raw = _envelope(transport, route.name, raw_body)
                response = await owner.post(path, content=raw, headers=headers)
                failure = _failure(transport, response)
                assert failure is not None, (route.name, what)
                # Over JSON-RPC, a body that is not JSON at all is the envelope's parse error.
                assert failure["code"] in ("invalid_input", "payload_too_large", "jsonrpc_-32700"), (
                    route.name,
                    what,
                    failure,
                )
                if field is not None and route.input_type is not None and _fields(route):
                    assert field in [f["path"] for f in failure["fields"]], (route.name, what, failure)
        assert await _counts(t) == before
