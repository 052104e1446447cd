"""The RPC dispatcher over ASGI: protocol, errors, auth levels, CSRF, limits and `req.db`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import msgspec
import pytest

from foundation.errors import Conflict, NotFound, Unavailable
from foundation.logging import flush_logs
from foundation.rpc import (
    ANONYMOUS,
    AdminPrincipal,
    AnonymousReq,
    Empty,
    OrgPrincipal,
    OrgReq,
    Principal,
    Req,
    Router,
    UserPrincipal,
    UserReq,
)
from foundation.rpc.dispatch import RpcApp
from foundation.rpc.errors import UndeclaredError
from foundation.rpc.request import Lease
from foundation.rpc.routes import RouteDeclarationError

router = Router("test")
events: list[str] = []


class Item(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(pattern="@")]


class AddIn(msgspec.Struct, forbid_unknown_fields=True):
    a: int
    b: int
    items: list[Item] = msgspec.field(default_factory=list)


class Sum(msgspec.Struct):
    total: int


class TooBig(Conflict):
    code = "too_big"

    class Fields(msgspec.Struct):
        limit: int


@router.route("math.add", auth="public", errors=[TooBig], max_body=200)
async def add(req: Req[AddIn]) -> Sum:
    if req.body.a > 100:
        raise TooBig("too big", limit=100)
    if req.body.a < 0:
        raise NotFound("not declared by this route")
    if req.body.a == 13:
        await req.db.execute("write")
        raise RuntimeError("unlucky")
    if req.body.b == 7:
        await req.db.execute("write")
    return Sum(total=req.body.a + req.body.b)


@router.route("math.zero", auth="public", read_only=True)
async def zero(req: Req[Empty]) -> Sum:
    return Sum(total=0)


@router.route("me.user", auth="user")
async def me_user(req: Req[Empty]) -> Sum:
    return Sum(total=1)


@router.route("me.org", auth="organization")
async def me_org(req: Req[Empty]) -> Sum:
    return Sum(total=2)


@router.route("me.admin", auth="admin")
async def me_admin(req: Req[Empty]) -> Sum:
    return Sum(total=3)


@router.route("slow.sleep", auth="public", timeout=0.05)
async def sleep(req: Req[Empty]) -> Sum:
    await asyncio.sleep(5)
    return Sum(total=0)


class Tick(msgspec.Struct):
    n: int


@router.route("stream.ticks", auth="public")
async def ticks(req: Req[Empty]) -> AsyncIterator[Tick]:
    try:
        for n in range(3):
            yield Tick(n)
        await asyncio.Event().wait()  # until the client goes away
    except asyncio.CancelledError:
        events.append("stream cancelled")
        raise


async def _principal(headers: dict[bytes, bytes], lease: object) -> Principal:
    who = headers.get(b"x-who", b"").decode()
    return {
        "user": UserPrincipal(user_id="usr_1"),
        "member": OrgPrincipal(user_id="usr_1", org_id="org_1", role="member"),
        "admin": AdminPrincipal(admin_id="adm_1", role="owner"),
        "cookie": UserPrincipal(user_id="usr_1", via_cookie=True),
    }.get(who, ANONYMOUS)


@contextlib.asynccontextmanager
async def _fake_transaction(principal: Principal, lease: object) -> AsyncIterator[Any]:
    events.append("begin")

    class Conn:
        async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
            events.append(query)
            return "OK"

    try:
        yield Conn()
    except BaseException:
        events.append("rollback")
        raise
    events.append("commit")


@contextlib.asynccontextmanager
async def _recorded_acquire() -> AsyncIterator[str]:
    """A pool's acquire that records when the request's connection is taken and given back."""
    events.append("connection acquired")
    yield "conn"
    events.append("connection released")


class _FakeDatabase:
    """The dispatcher's RequestDatabase with a recording transaction, an optional lease's
    acquire and an optional outage reading."""

    def __init__(self, acquire: Any = None, unavailable: Any = None) -> None:
        self._acquire = acquire
        self._unavailable = unavailable

    def lease(self) -> Lease:
        return Lease(self._acquire) if self._acquire is not None else _NoLease()  # type: ignore[return-value]

    def transaction(self, principal: Principal, lease: Lease | None) -> Any:
        return _fake_transaction(principal, lease)

    def unavailable(self, error: Exception) -> Any:
        return self._unavailable(error) if self._unavailable is not None else None


class _NoLease:
    held = False

    async def connection(self) -> None:
        return None

    async def release(self) -> None:
        pass


async def _fallback(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"fallback"})


@pytest.fixture
def client():
    events.clear()
    app = RpcApp(
        router, _fallback, authenticate=_principal, database=_FakeDatabase(), allowed_origins=["https://app.example"]
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_a_route_decodes_and_encodes_json(client) -> None:
    response = await client.post("/rpc/math.add", json={"a": 2, "b": 3})
    assert response.status_code == 200
    assert response.json() == {"total": 5}
    assert response.headers["x-request-id"].startswith("req_")


async def test_a_handler_that_never_touches_the_database_opens_no_transaction(client) -> None:
    await client.post("/rpc/math.add", json={"a": 2, "b": 3})
    assert events == []


async def test_the_transaction_commits_when_the_handler_returns(client) -> None:
    assert (await client.post("/rpc/math.add", json={"a": 1, "b": 7})).status_code == 200
    assert events == ["begin", "write", "commit"]


async def test_the_transaction_rolls_back_when_the_handler_raises(client) -> None:
    response = await client.post("/rpc/math.add", json={"a": 13, "b": 0})
    assert response.status_code == 500
    assert events == ["begin", "write", "rollback"]
    body = response.json()["error"]
    assert body == {"code": "internal", "message": "internal error", "request_id": response.headers["x-request-id"]}


async def test_every_bad_field_is_listed_with_its_path(client) -> None:
    response = await client.post(
        "/rpc/math.add", json={"a": "x", "items": [{"email": "ok@x"}, {"email": "nope"}, {}], "c": 1}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert [f["path"] for f in error["fields"]] == ["a", "b", "items[1].email", "items[2].email", "c"]


async def test_malformed_json_is_a_validation_error(client) -> None:
    response = await client.post("/rpc/math.add", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["path"] == ""


async def test_a_declared_error_keeps_its_code_status_and_fields(client) -> None:
    response = await client.post("/rpc/math.add", json={"a": 101, "b": 0})
    assert response.status_code == 409
    assert response.json() == {"error": {"code": "too_big", "message": "too big", "limit": 100}}


async def test_an_undeclared_error_is_a_500_and_never_leaks_its_code(client) -> None:
    response = await client.post("/rpc/math.add", json={"a": -1, "b": 0})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal"


async def test_in_strict_mode_an_undeclared_error_fails_loudly() -> None:
    app = RpcApp(router, _fallback, strict_errors=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as strict:
        with pytest.raises(UndeclaredError, match=r"math\.add raised NotFound, which it does not declare"):
            await strict.post("/rpc/math.add", json={"a": -1, "b": 0})


async def test_unknown_routes_and_wrong_methods(client) -> None:
    assert (await client.post("/rpc/math.nope", json={})).status_code == 404
    assert (await client.get("/rpc/math.add")).status_code == 405
    assert (await client.get("/rpc/math.zero")).json() == {"total": 0}
    assert (await client.get("/health")).status_code == 418  # not ours: the fallback app


async def test_read_only_routes_take_input_from_the_query_string(client) -> None:
    response = await client.get("/rpc/math.zero", params={"input": "{}"})
    assert response.json() == {"total": 0}


async def test_json_is_required(client) -> None:
    response = await client.post(
        "/rpc/math.add", content=b"a=1", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415


async def test_an_oversize_body_is_413(client) -> None:
    response = await client.post("/rpc/math.add", json={"a": 1, "b": 2, "items": [{"email": "a@b"}] * 50})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("route", "who", "status"),
    [
        ("me.user", "", 401),
        ("me.user", "user", 200),
        ("me.org", "", 401),
        ("me.org", "user", 403),
        ("me.org", "member", 200),
        ("me.admin", "", 401),
        ("me.admin", "member", 403),
        ("me.admin", "admin", 200),
    ],
)
async def test_authorization_levels(client, route: str, who: str, status: int) -> None:
    response = await client.post(f"/rpc/{route}", json={}, headers={"x-who": who})
    assert response.status_code == status


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"sec-fetch-site": "cross-site"}, 403),
        ({"origin": "https://evil.example"}, 403),
        ({"origin": "https://app.example"}, 200),
        ({"origin": "http://testserver"}, 200),
        ({"sec-fetch-site": "same-origin"}, 200),
    ],
)
async def test_cookie_authenticated_calls_must_come_from_our_origin(client, headers: dict, status: int) -> None:
    response = await client.post("/rpc/me.user", json={}, headers={"x-who": "cookie", **headers})
    assert response.status_code == status


async def test_a_slow_handler_times_out(client) -> None:
    response = await client.post("/rpc/slow.sleep", json={})
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "timeout"


async def test_the_request_id_is_taken_from_the_caller(client) -> None:
    response = await client.post("/rpc/math.zero", json={}, headers={"x-request-id": "abc-42"})
    assert response.headers["x-request-id"] == "abc-42"


async def test_a_stream_sends_events_and_a_disconnect_cancels_the_handler() -> None:
    events.clear()
    sent = await _drive(RpcApp(router, _fallback), "/rpc/stream.ticks", leave_after=3)
    assert sent[0]["status"] == 200
    assert dict(sent[0]["headers"])[b"content-type"] == b"text/event-stream"
    data = [json.loads(m["body"][6:]) for m in sent[1:] if m.get("body", b"").startswith(b"data: ")]
    assert data == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert [e for e in events if not e.startswith("sent")] == ["stream cancelled"]


@router.route("limits.hit", auth="public", errors=[])
async def hit(req: Req[Empty]) -> Sum:
    from foundation.errors import RateLimited

    raise RateLimited("slow down", retry_after_seconds=30)


async def test_rate_limited_is_429_with_retry_after(client) -> None:
    response = await client.post("/rpc/limits.hit", json={})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    assert response.json() == {"error": {"code": "rate_limited", "message": "slow down", "retry_after_seconds": 30}}


async def test_the_pooled_connection_is_held_only_from_authentication_to_the_end_of_the_transaction() -> None:
    """Not while the client's body arrives, not while the response goes out: with fewer
    connections than concurrent requests, hold time is throughput."""

    async def authenticate(headers: dict[bytes, bytes], lease: Lease | None) -> Principal:
        assert lease is not None
        await lease.connection()
        return OrgPrincipal(user_id="usr_1", org_id="org_1", role="member")

    async def receive() -> dict:
        events.append("body read")
        return {"type": "http.request", "body": b'{"a": 1, "b": 7}', "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            events.append(f"response {message['status']}")

    events.clear()
    app = RpcApp(router, _fallback, authenticate=authenticate, database=_FakeDatabase(_recorded_acquire))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/rpc/math.add",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }
    await app(scope, receive, send)
    assert events[0] == "body read"
    assert events[1] == "connection acquired"
    assert events.index("commit") < events.index("connection released") < events.index("response 200")


async def test_an_oversize_body_is_refused_before_anyone_is_authenticated(client) -> None:
    response = await client.post("/rpc/me.org", content=b"x" * 2_000_000, headers={"content-type": "application/json"})
    assert response.status_code == 413  # not 401: the size limit protects the server from anyone


@router.route("limits.count_then_fail", auth="public", errors=[TooBig])
async def count_then_fail(req: Req[Empty]) -> Sum:
    async with req.db.transaction() as conn:
        await conn.execute("count a hit")
    await req.db.execute("the route's own write")
    with pytest.raises(RuntimeError, match="before the request's transaction begins"):
        req.db.transaction()
    raise TooBig("too big", limit=1)


async def test_a_short_transaction_commits_on_its_own_before_the_requests_transaction(client) -> None:
    """What must stay written when the request fails (a rate-limit hit) commits first, on the
    request's one connection; asking for it once the request's transaction is open is refused."""
    response = await client.post("/rpc/limits.count_then_fail", json={})
    assert response.status_code == 409
    assert events == ["begin", "count a hit", "commit", "begin", "the route's own write", "rollback"]


@router.route("stream.writes", auth="user")
async def stream_writes(req: Req[Empty]) -> AsyncIterator[Tick]:
    async with req.db.transaction() as conn:
        await conn.execute("first write")
    yield Tick(1)
    async with req.db.transaction() as conn:
        await conn.execute("second write")
        yield Tick(2)  # the client leaves, or the step fails, inside this transaction
        await asyncio.sleep(0.05)
        raise RuntimeError("the stream's step failed")


def _access_status(capsys: pytest.CaptureFixture[str], *expected: str) -> int:
    """The status of the last access-log line (loggers keep the format they were first used with,
    console or JSON, so both are read)."""
    flush_logs()
    captured = capsys.readouterr()
    logged = captured.out + captured.err
    for text in expected:
        assert text in logged, logged
    return int(re.findall(r'status[=":]+(\d+)', logged)[-1])


async def _drive(app: RpcApp, path: str, *, leave_after: int | None = None) -> list[dict]:
    """POST `path` to `app` over raw ASGI, recording what it sends ("sent N" for each event in
    `events`); the client leaves after `leave_after` events."""
    sent: list[dict] = []
    left = asyncio.Event()
    requests = [{"type": "http.request", "body": b"{}", "more_body": False}]

    async def receive() -> dict:
        if requests:
            return requests.pop()
        await left.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message.get("body", b"").startswith(b"data:"):
            count = len([m for m in sent if m.get("body", b"").startswith(b"data:")])
            events.append(f"sent {count}")
            if count == leave_after:
                left.set()

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=5)
    return sent


async def _run_stream(path: str, *, leave_after: int | None = None) -> tuple[list[dict], list[str]]:
    """Drive a stream with a leased connection that authentication uses (a session lookup)."""

    async def authenticate(headers: dict[bytes, bytes], lease: Lease | None) -> Principal:
        assert lease is not None
        await lease.connection()
        return UserPrincipal(user_id="usr_1")

    events.clear()
    app = RpcApp(router, _fallback, authenticate=authenticate, database=_FakeDatabase(_recorded_acquire))
    sent = await _drive(app, path, leave_after=leave_after)
    return sent, list(events)


async def test_a_stream_holds_no_connection_between_events_and_a_failure_rolls_back_and_is_an_error_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent, seen = await _run_stream("/rpc/stream.writes")
    assert seen == [
        "connection acquired",
        "connection released",  # authentication's connection goes back before the stream starts
        "begin",
        "first write",
        "commit",
        "sent 1",
        "begin",
        "second write",
        "sent 2",
        "rollback",  # the failing step's transaction, not committed
    ]
    error = next(m["body"] for m in sent if m.get("body", b"").startswith(b"event: error"))
    assert b'"code":"internal"' in error and b"RuntimeError" not in error
    assert _access_status(capsys, "stream_failed", "the stream's step failed") == 500


async def test_a_client_that_leaves_mid_stream_rolls_back_the_open_step(capsys: pytest.CaptureFixture[str]) -> None:
    _, seen = await _run_stream("/rpc/stream.writes", leave_after=2)
    assert seen[-3:] == ["second write", "sent 2", "rollback"]
    assert "commit" not in seen[seen.index("second write") :]
    assert _access_status(capsys) == 499


async def test_a_route_that_never_reads_the_caller_authenticates_no_one_and_takes_no_connection() -> None:
    events.clear()
    anonymous = Router("anon")

    @anonymous.route("anon.hello")
    async def hello(req: AnonymousReq[Empty]) -> Sum:
        return Sum(total=0 if req.principal is ANONYMOUS else 1)

    @anonymous.route("anon.who")
    async def who(req: Req[Empty]) -> Sum:
        return Sum(total=0 if req.principal is ANONYMOUS else 1)

    async def authenticate(headers: dict[bytes, bytes], lease: Lease | None) -> Principal:
        events.append("authenticated")
        assert lease is not None
        await lease.connection()
        return UserPrincipal(user_id="usr_01hzzzzzzzzzzzzzzzzzzzzzzz")

    app = RpcApp(anonymous, _fallback, authenticate=authenticate, database=_FakeDatabase(acquire=_recorded_acquire))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        hello_answer = await client.post("/rpc/anon.hello", json={}, headers={"cookie": "blossom_session=x"})
        assert hello_answer.json() == {"total": 0} and events == []  # no one looked up, no connection
        cross_site = await client.post(
            "/rpc/anon.hello", json={}, headers={"cookie": "blossom_session=x", "sec-fetch-site": "cross-site"}
        )
        assert cross_site.status_code == 403 and events == []  # its cookie still gets the CSRF check
        other_origin = await client.post(
            "/rpc/anon.hello", json={}, headers={"cookie": "blossom_session=x", "origin": "https://evil.example"}
        )
        assert other_origin.status_code == 403
        cookieless = await client.post("/rpc/anon.hello", json={}, headers={"origin": "https://evil.example"})
        assert cookieless.status_code == 200  # no cookie, nothing to forge
        who_answer = await client.post("/rpc/anon.who", json={})
        assert who_answer.json() == {"total": 1}
        assert events == ["authenticated", "connection acquired", "connection released"]
    assert anonymous.routes["anon.hello"].auth == anonymous.routes["anon.who"].auth == "public"
    with pytest.raises(RouteDeclarationError, match="disagrees with the handler's annotation"):

        @anonymous.route("anon.narrowed", auth="user")  # an AnonymousReq never knows its caller
        async def narrowed(req: AnonymousReq[Empty]) -> Sum:
            return Sum(total=0)


def test_the_auth_level_comes_from_the_handlers_annotation() -> None:
    other = Router("typed")

    @other.route("typed.org")
    async def org_route(req: OrgReq[Empty]) -> Sum:
        return Sum(total=len(req.principal.org_id))  # a str: no assert, no Optional

    @other.route("typed.user")
    async def user_route(req: UserReq[Empty]) -> Sum:
        return Sum(total=len(req.principal.user_id))

    @other.route("typed.narrowed", auth="user")  # a plain Req may be narrowed by auth=
    async def narrowed(req: Req[Empty]) -> Sum:
        return Sum(total=0)

    assert {n: r.auth for n, r in other.routes.items()} == {
        "typed.org": "organization",
        "typed.user": "user",
        "typed.narrowed": "user",
    }
    with pytest.raises(RouteDeclarationError, match="disagrees with the handler's annotation"):

        @other.route("typed.wrong", auth="user")
        async def wrong(req: OrgReq[Empty]) -> Sum:
            return Sum(total=0)


async def test_cors_lets_an_allowed_origin_call_with_credentials_and_no_other(client) -> None:
    allowed = {"origin": "https://app.example"}
    response = await client.post("/rpc/math.add", json={"a": 1, "b": 2}, headers=allowed)
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "x-request-id" in response.headers["access-control-expose-headers"]
    failed = await client.post("/rpc/math.add", json={"a": "x"}, headers=allowed)
    assert failed.headers["access-control-allow-origin"] == "https://app.example"  # errors are readable too
    other = await client.post("/rpc/math.add", json={"a": 1, "b": 2}, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    cookie_call = await client.post("/rpc/me.user", json={}, headers={**allowed, "x-who": "cookie"})
    assert cookie_call.status_code == 200  # the CSRF check accepts the allowed origin


async def test_a_cors_preflight_is_answered_for_allowed_origins_only(client) -> None:
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    ok = await client.options("/rpc/math.add", headers={"origin": "https://app.example", **preflight})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == "https://app.example"
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "content-type" in ok.headers["access-control-allow-headers"]
    refused = await client.options("/rpc/math.add", headers={"origin": "https://evil.example", **preflight})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers


@router.route("outage.hit", auth="public")
async def outage_hit(req: Req[Empty]) -> Sum:
    raise ConnectionResetError("connection reset by peer")


def _outage_503(error: Exception) -> Unavailable | None:
    return Unavailable("the database is unavailable", retry_after_seconds=1) if isinstance(error, OSError) else None


async def test_an_error_the_app_reads_as_an_outage_is_503_with_retry_after_not_a_logged_500(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = RpcApp(router, _fallback, database=_FakeDatabase(unavailable=_outage_503))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        flush_logs()
        capsys.readouterr()
        response = await client.post("/rpc/outage.hit", json={})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert response.json() == {
            "error": {"code": "unavailable", "message": "the database is unavailable", "retry_after_seconds": 1}
        }
        response = await client.post("/rpc/math.add", json={"a": 13, "b": 1})  # another failure: still a 500
        assert response.status_code == 500
    flush_logs()
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "ConnectionResetError" not in output  # no traceback for the outage (the app logs it once)
    assert output.count("unhandled_error") == 1


@router.route("who.am_i", auth="public")
async def client_address(req: Req[Empty]) -> Sum:
    events.append(req.client)
    return Sum(total=0)


@pytest.mark.parametrize(
    ("peer", "forwarded", "seen"),
    [
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),  # from the trusted proxy: its client
        ("10.0.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a forged entry further left is ignored
        ("10.0.0.5", "198.51.100.7, 10.0.0.6", "198.51.100.7"),  # two trusted proxies in a row
        ("203.0.113.1", "198.51.100.7", "203.0.113.1"),  # not a trusted proxy: its own address
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
    ],
)
async def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
    peer: str, forwarded: str, seen: str
) -> None:
    events.clear()
    app = RpcApp(router, _fallback, trusted_proxies=["10.0.0.5", "10.0.0.6"])
    transport = httpx.ASGITransport(app=app, client=(peer, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as behind:
        await behind.post("/rpc/who.am_i", json={}, headers={"x-forwarded-for": forwarded})
    assert events == [seen]


@pytest.mark.parametrize(
    ("base", "origin", "peer", "forwarded_proto", "status"),
    [
        ("https://app.test", "https://app.test", "1.2.3.4", None, 200),
        ("https://app.test", "http://app.test", "1.2.3.4", None, 403),  # same host, other scheme
        ("http://app.test", "https://app.test", "10.0.0.5", "https", 200),  # TLS ended at a trusted proxy
        ("http://app.test", "https://app.test", "1.2.3.4", "https", 403),  # not a trusted proxy: its word is ignored
    ],
)
async def test_a_cookie_call_must_come_from_our_own_scheme_and_host(
    base: str, origin: str, peer: str, forwarded_proto: str | None, status: int
) -> None:
    app = RpcApp(router, _fallback, authenticate=_principal, trusted_proxies=["10.0.0.5"])
    headers = {
        "origin": origin,
        "x-who": "cookie",
        **({"x-forwarded-proto": forwarded_proto} if forwarded_proto else {}),
    }
    transport = httpx.ASGITransport(app=app, client=(peer, 5000))
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        assert (await client.post("/rpc/me.user", json={}, headers=headers)).status_code == status


async def test_a_preflight_for_a_route_that_does_not_exist_is_refused(client) -> None:
    response = await client.options(
        "/rpc/no.such_route", headers={"origin": "https://app.example", "access-control-request-method": "POST"}
    )
    assert response.status_code == 403


async def test_a_request_cancelled_while_its_unused_transaction_rolls_back_still_gives_the_connection_back() -> None:
    # A server shutting down (or a client gone) during the ROLLBACK of the transaction
    # authentication began and no req.db used: the connection still goes back to the pool.
    rolling_back = asyncio.Event()

    class Begun:  # the transaction SessionAuthenticator begins for a session it has seen
        async def __aexit__(self, *exc: Any) -> None:
            events.append("rollback")
            rolling_back.set()
            await asyncio.Event().wait()  # the ROLLBACK's round trip, cut short by the cancellation

    async def authenticate(headers: dict[bytes, bytes], lease: Lease | None) -> UserPrincipal:
        assert lease is not None
        await lease.connection()
        lease.hold_begun(("usr_1", None), Begun())  # type: ignore[arg-type]
        return UserPrincipal(user_id="usr_1")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    events.clear()
    app = RpcApp(router, _fallback, authenticate=authenticate, database=_FakeDatabase(_recorded_acquire))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/rpc/me.user",  # opens no req.db: the begun transaction is rolled back at release
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }
    request = asyncio.ensure_future(app(scope, receive, send))
    await asyncio.wait_for(rolling_back.wait(), timeout=5)
    request.cancel()
    await asyncio.gather(request, return_exceptions=True)
    assert events == ["connection acquired", "rollback", "connection released"]
