"""`POST /jsonrpc` over ASGI: the JSON-RPC 2.0 specification's own examples (section 7, on routes
of the same shape), every error code, notifications, id echoing, batches (each call its own
transaction, auth level and CSRF check; one connection at a time), limits and hostile input."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import msgspec
import pytest

from foundation.errors import Conflict, NotFound, Unavailable
from foundation.rpc import ANONYMOUS, AnonymousReq, Empty, OrgPrincipal, Principal, Req, Router, UserPrincipal
from foundation.rpc.dispatch import MAX_BATCH_RESPONSE_BYTES, RpcApp
from foundation.rpc.errors import UndeclaredError
from foundation.rpc.jsonrpc import MAX_BATCH
from foundation.rpc.request import Lease

router = Router("jsonrpc_test")
events: list[str] = []


class SubtractIn(msgspec.Struct, forbid_unknown_fields=True):
    minuend: int
    subtrahend: int


class ValuesIn(msgspec.Struct, forbid_unknown_fields=True):
    values: list[int]


class HelloIn(msgspec.Struct, forbid_unknown_fields=True):
    value: int


class Item(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(pattern="@")]


class WriteIn(msgspec.Struct, forbid_unknown_fields=True):
    n: int
    note: str = ""
    items: list[Item] = msgspec.field(default_factory=list)


class TooBig(Conflict):
    code = "too_big"

    class Fields(msgspec.Struct):
        limit: int


class ThingNotFound(NotFound):
    code = "thing_not_found"


@router.route("spec.subtract")
async def subtract(req: AnonymousReq[SubtractIn]) -> int:
    return req.body.minuend - req.body.subtrahend


@router.route("spec.sum")
async def sum_(req: AnonymousReq[ValuesIn]) -> int:
    return sum(req.body.values)


@router.route("spec.update")
async def update(req: AnonymousReq[ValuesIn]) -> Empty:
    events.append(f"update {req.body.values}")
    return Empty()


@router.route("spec.notify_hello")
async def notify_hello(req: AnonymousReq[HelloIn]) -> Empty:
    events.append(f"hello {req.body.value}")
    return Empty()


@router.route("spec.get_data")
async def get_data(req: AnonymousReq[Empty]) -> tuple[str, int]:
    return ("hello", 5)


BIG_RUNS: list[int] = []


@router.route("spec.big")
async def big(req: AnonymousReq[Empty]) -> str:
    BIG_RUNS.append(1)
    return "x" * 1_500_000


@router.route("db.write", errors=[TooBig, ThingNotFound], max_body=2_000_000)
async def write(req: Req[WriteIn]) -> int:
    """Writes in `req.db`, then fails as `n` says: 1 commits; 2 raises a declared conflict; 3
    a declared not-found; 4 an undeclared error; 5 a bug."""
    await req.db.execute(f"write {req.body.n}")
    if req.body.n == 2:
        raise TooBig("too big", limit=100)
    if req.body.n == 3:
        raise ThingNotFound("no such thing")
    if req.body.n == 4:
        raise Conflict("not declared by this route")
    if req.body.n == 5:
        raise RuntimeError("secret detail")
    return req.body.n


@router.route("db.tiny", max_body=20)
async def tiny(req: AnonymousReq[WriteIn]) -> int:
    return req.body.n


@router.route("me.user", auth="user")
async def me_user(req: Req[Empty]) -> int:
    return 1


@router.route("me.org", auth="organization")
async def me_org(req: Req[Empty]) -> int:
    return 2


@router.route("me.admin", auth="admin")
async def me_admin(req: Req[Empty]) -> int:
    return 3


@router.route("slow.sleep", timeout=0.05)
async def sleep(req: AnonymousReq[Empty]) -> int:
    await asyncio.sleep(5)
    return 0


@router.route("db.down")
async def down(req: AnonymousReq[Empty]) -> int:
    raise ConnectionError("the database went away")


class Tick(msgspec.Struct):
    n: int


@router.route("stream.ticks")
async def ticks(req: AnonymousReq[Empty]) -> AsyncIterator[Tick]:
    yield Tick(0)


@router.route("auth.cookie")
async def set_cookie(req: AnonymousReq[Empty]) -> int:
    req.set_cookie("k=v; Path=/")
    return 0


async def _principal(headers: dict[bytes, bytes], lease: Lease | None) -> Principal:
    if lease is not None:
        await lease.connection()  # looking the caller up takes the request's connection
    who = headers.get(b"x-who", b"").decode()
    return {
        "user": UserPrincipal(user_id="usr_1"),
        "member": OrgPrincipal(user_id="usr_1", org_id="org_1", role="member"),
        "cookie": UserPrincipal(user_id="usr_1", via_cookie=True),
    }.get(who, ANONYMOUS)


class _FakeDatabase:
    """Records transactions and when the request's connection is taken and given back."""

    def lease(self) -> Lease:
        return Lease(self._acquire)

    @contextlib.asynccontextmanager
    async def _acquire(self) -> AsyncIterator[str]:
        events.append("acquire")
        yield "conn"
        events.append("release")

    @contextlib.asynccontextmanager
    async def _transaction(self, principal: Principal, lease: Lease | None) -> AsyncIterator[Any]:
        assert lease is not None
        await lease.connection()
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

    def transaction(self, principal: Principal, lease: Lease | None) -> Any:
        return self._transaction(principal, lease)

    def unavailable(self, error: Exception) -> Unavailable | None:
        if isinstance(error, ConnectionError):
            return Unavailable("the database is unavailable", retry_after_seconds=2)
        return None


async def _fallback(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"fallback"})


def _app(**options: Any) -> RpcApp:
    return RpcApp(router, _fallback, authenticate=_principal, database=_FakeDatabase(), **options)


@pytest.fixture
def client():
    events.clear()
    app = _app(allowed_origins=["https://app.example"])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def _rpc(client: httpx.AsyncClient, body: str | bytes, **headers: str) -> httpx.Response:
    return await client.post(
        "/jsonrpc",
        content=body.encode() if isinstance(body, str) else body,
        headers={"content-type": "application/json", **headers},
    )


def _shape(answer: Any) -> Any:
    """A response (or batch) without error messages and `data`: what the specification fixes."""
    if isinstance(answer, list):
        return [_shape(a) for a in answer]
    if "error" in answer:
        return {**answer, "error": {"code": answer["error"]["code"]}}
    return answer


# The specification's section 7, method names in our dotted form and by-position params named.


@pytest.mark.parametrize(
    ("request_body", "expected"),
    [
        (  # rpc call with named parameters (both orders)
            '{"jsonrpc": "2.0", "method": "spec.subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
            {"jsonrpc": "2.0", "result": 19, "id": 3},
        ),
        (
            '{"jsonrpc": "2.0", "method": "spec.subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
            {"jsonrpc": "2.0", "result": 19, "id": 4},
        ),
        (  # the positional examples: refused, saying so
            '{"jsonrpc": "2.0", "method": "spec.subtract", "params": [42, 23], "id": 1}',
            {"jsonrpc": "2.0", "error": {"code": -32602}, "id": 1},
        ),
        (  # a non-existent method
            '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
            {"jsonrpc": "2.0", "error": {"code": -32601}, "id": "1"},
        ),
        (  # invalid JSON
            '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
            {"jsonrpc": "2.0", "error": {"code": -32700}, "id": None},
        ),
        (  # an invalid request object
            '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
            {"jsonrpc": "2.0", "error": {"code": -32600}, "id": None},
        ),
        (  # a batch, invalid JSON
            '[{"jsonrpc": "2.0", "method": "spec.sum", "params": {"values": [1,2,4]}, "id": "1"},'
            '{"jsonrpc": "2.0", "method"]',
            {"jsonrpc": "2.0", "error": {"code": -32700}, "id": None},
        ),
        (  # an empty array
            "[]",
            {"jsonrpc": "2.0", "error": {"code": -32600}, "id": None},
        ),
        (  # an invalid batch, but not empty
            "[1]",
            [{"jsonrpc": "2.0", "error": {"code": -32600}, "id": None}],
        ),
        (  # invalid batches
            "[1,2,3]",
            [{"jsonrpc": "2.0", "error": {"code": -32600}, "id": None}] * 3,
        ),
        (  # a mixed batch
            """[
            {"jsonrpc": "2.0", "method": "spec.sum", "params": {"values": [1,2,4]}, "id": "1"},
            {"jsonrpc": "2.0", "method": "spec.notify_hello", "params": {"value": 7}},
            {"jsonrpc": "2.0", "method": "spec.subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": "2"},
            {"foo": "boo"},
            {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
            {"jsonrpc": "2.0", "method": "spec.get_data", "id": "9"}
            ]""",
            [
                {"jsonrpc": "2.0", "result": 7, "id": "1"},
                {"jsonrpc": "2.0", "result": 19, "id": "2"},
                {"jsonrpc": "2.0", "error": {"code": -32600}, "id": None},
                {"jsonrpc": "2.0", "error": {"code": -32601}, "id": "5"},
                {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"},
            ],
        ),
    ],
    ids=[
        "named",
        "named-reordered",
        "positional",
        "no-method",
        "invalid-json",
        "invalid-request",
        "batch-invalid-json",
        "empty-array",
        "batch-of-1",
        "batch-of-3",
        "mixed-batch",
    ],
)
async def test_the_specifications_examples(client, request_body: str, expected: Any) -> None:
    response = await _rpc(client, request_body)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert _shape(response.json()) == expected
    if request_body.startswith("[{") and "notify_hello" in request_body:
        assert events == ["hello 7"]  # the notification ran, unanswered


async def test_notifications_run_and_are_never_answered(client) -> None:
    single = await _rpc(client, '{"jsonrpc": "2.0", "method": "spec.update", "params": {"values": [1,2,3,4,5]}}')
    assert (single.status_code, single.content) == (204, b"")
    batch = await _rpc(
        client,
        '[{"jsonrpc": "2.0", "method": "spec.notify_hello", "params": {"value": 7}},'
        '{"jsonrpc": "2.0", "method": "spec.update", "params": {"values": [1]}},'
        '{"jsonrpc": "2.0", "method": "foobar"},'  # unknown: still no answer
        '{"jsonrpc": "2.0", "method": "db.write", "params": {"n": 5}}]',  # failing: no answer
    )
    assert (batch.status_code, batch.content) == (204, b"")
    assert [e for e in events if e.startswith(("update", "hello"))] == [
        "update [1, 2, 3, 4, 5]",
        "hello 7",
        "update [1]",
    ]


@pytest.mark.parametrize(
    "request_id", ['"abc"', '""', "1", "0", "-1.5e3", "1.50", "123456789012345678901234567890", "null"]
)
async def test_the_id_is_echoed_exactly(client, request_id: str) -> None:
    response = await _rpc(client, f'{{"jsonrpc": "2.0", "method": "spec.get_data", "id": {request_id}}}')
    assert response.content.endswith(b',"id":' + request_id.encode() + b"}")
    failing = await _rpc(client, f'{{"jsonrpc": "2.0", "method": "nope.nope", "id": {request_id}}}')
    assert failing.content.endswith(b',"id":' + request_id.encode() + b"}")


@pytest.mark.parametrize("request_id", ["true", "{}", "[1]"])
async def test_an_id_that_is_not_a_string_number_or_null_is_an_invalid_request(client, request_id: str) -> None:
    response = await _rpc(client, f'{{"jsonrpc": "2.0", "method": "spec.get_data", "id": {request_id}}}')
    assert response.json()["error"]["code"] == -32600
    assert response.json()["id"] is None


@pytest.mark.parametrize(
    "body",
    [
        '{"method": "spec.get_data", "id": 1}',  # no version
        '{"jsonrpc": "1.0", "method": "spec.get_data", "id": 1}',
        '{"jsonrpc": "2.0", "id": 1}',  # no method
        '{"jsonrpc": "2.0", "method": "spec.get_data", "params": 5, "id": 1}',
        '{"jsonrpc": "2.0", "method": "spec.get_data", "extra": true, "id": 1}',
        '"just a string"',
    ],
)
async def test_invalid_request_objects(client, body: str) -> None:
    answer = (await _rpc(client, body)).json()
    assert answer["error"]["code"] == -32600
    assert answer["id"] == (1 if '"id": 1' in body else None)


async def test_invalid_params_list_every_bad_field_with_its_path(client) -> None:
    params = {"n": "x", "items": [{"email": "ok@x"}, {"email": "nope"}, {}], "c": 1}
    body = json.dumps({"jsonrpc": "2.0", "method": "db.write", "params": params, "id": 7})
    error = (await _rpc(client, body)).json()["error"]
    assert error["code"] == -32602
    assert error["data"]["code"] == "invalid_input"
    assert [f["path"] for f in error["data"]["fields"]] == ["n", "items[1].email", "items[2].email", "c"]


async def test_application_errors_carry_our_code_and_fields(client) -> None:
    def call(n: int, request_id: int) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "method": "db.write", "params": {"n": n}, "id": request_id}

    answers = (await _rpc(client, json.dumps([call(2, 1), call(3, 2)]))).json()
    assert answers == [
        {
            "jsonrpc": "2.0",
            "error": {"code": -32004, "message": "too big", "data": {"code": "too_big", "limit": 100}},
            "id": 1,
        },
        {
            "jsonrpc": "2.0",
            "error": {"code": -32001, "message": "no such thing", "data": {"code": "thing_not_found"}},
            "id": 2,
        },
    ]


async def test_internal_errors_leak_nothing(client) -> None:
    for n in (4, 5):  # an undeclared error, then a bug
        response = await _rpc(client, json.dumps({"jsonrpc": "2.0", "method": "db.write", "params": {"n": n}, "id": 1}))
        error = response.json()["error"]
        assert error == {
            "code": -32603,
            "message": "Internal error",
            "data": {"code": "internal", "request_id": response.headers["x-request-id"]},
        }
        assert "secret" not in response.text and "declared" not in response.text


async def test_in_strict_mode_an_undeclared_error_fails_loudly_after_the_answer() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app(strict_errors=True)), base_url="http://t") as c:
        with pytest.raises(UndeclaredError, match=r"db\.write raised Conflict"):
            await _rpc(c, '{"jsonrpc": "2.0", "method": "db.write", "params": {"n": 4}, "id": 1}')


@pytest.mark.parametrize(
    ("method", "who", "code"),
    [
        ("me.user", "", -32002),
        ("me.user", "user", None),
        ("me.org", "user", -32003),
        ("me.org", "member", None),
        ("me.admin", "member", -32003),
        ("slow.sleep", "", -32007),
        ("db.down", "", -32006),
        ("stream.ticks", "", -32601),
    ],
)
async def test_every_common_error_has_its_code(client, method: str, who: str, code: int | None) -> None:
    answer = (await _rpc(client, f'{{"jsonrpc": "2.0", "method": "{method}", "id": 1}}', **{"x-who": who})).json()
    if code is None:
        assert "result" in answer, answer
    else:
        assert answer["error"]["code"] == code, answer
    if method == "stream.ticks":
        assert "/rpc/stream.ticks" in answer["error"]["message"]
    if method == "db.down":
        assert answer["error"]["data"] == {"code": "unavailable", "retry_after_seconds": 2}


async def test_each_call_of_a_batch_is_its_own_transaction(client) -> None:
    calls = [{"jsonrpc": "2.0", "method": "db.write", "params": {"n": n}, "id": n} for n in (1, 5, 1)]
    answers = (await _rpc(client, json.dumps(calls))).json()
    assert [a.get("result", a.get("error", {}).get("code")) for a in answers] == [1, -32603, 1]
    transactions = [e for e in events if e not in ("acquire", "release")]
    assert transactions == ["begin", "write 1", "commit", "begin", "write 5", "rollback", "begin", "write 1", "commit"]


async def test_a_batch_holds_one_connection_at_a_time(client) -> None:
    calls = [{"jsonrpc": "2.0", "method": m, "id": i} for i, m in enumerate(["me.user", "spec.get_data", "me.user"])]
    calls.append({"jsonrpc": "2.0", "method": "db.write", "params": {"n": 1}, "id": 9})
    await _rpc(client, json.dumps(calls), **{"x-who": "user"})
    pool = [e for e in events if e in ("acquire", "release")]
    # Each call that needs the connection takes it and gives it back; the anonymous one takes none.
    assert pool == ["acquire", "release"] * 3


async def test_auth_levels_and_csrf_apply_per_call(client) -> None:
    calls = [{"jsonrpc": "2.0", "method": m, "id": m} for m in ("me.user", "me.org", "spec.get_data", "me.admin")]
    answers = (await _rpc(client, json.dumps(calls), **{"x-who": "user"})).json()
    assert [a.get("error", {}).get("code") for a in answers] == [None, -32003, None, -32003]
    # A cookie caller from another origin: refused wherever the caller is looked up, but an
    # AnonymousReq route never looks them up (exactly as on /rpc/).
    cross = (await _rpc(client, json.dumps(calls[:3]), **{"x-who": "cookie", "origin": "https://evil.example"})).json()
    assert [a.get("error", {}).get("code") for a in cross] == [-32003, -32003, None]
    allowed = (await _rpc(client, json.dumps(calls[:1]), **{"x-who": "cookie", "origin": "https://app.example"})).json()
    assert allowed == [{"jsonrpc": "2.0", "result": 1, "id": "me.user"}]


async def test_response_headers_of_the_calls_are_sent(client) -> None:
    response = await _rpc(client, '[{"jsonrpc": "2.0", "method": "auth.cookie", "id": 1}]')
    assert response.headers["set-cookie"] == "k=v; Path=/"


async def test_a_batch_over_the_limit_is_refused_naming_it(client) -> None:
    calls = [{"jsonrpc": "2.0", "method": "spec.get_data", "id": i} for i in range(MAX_BATCH + 1)]
    answer = (await _rpc(client, json.dumps(calls))).json()
    assert answer["error"]["code"] == -32600
    assert answer["error"]["data"] == {"code": "batch_too_large", "limit": MAX_BATCH}
    assert str(MAX_BATCH) in answer["error"]["message"]
    assert len((await _rpc(client, json.dumps(calls[:MAX_BATCH]))).json()) == MAX_BATCH


async def test_bodies_and_params_over_their_limits_are_refused_naming_them() -> None:
    app = _app(jsonrpc_max_body=1000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as small:
        body = json.dumps({"jsonrpc": "2.0", "method": "db.write", "params": {"n": 1, "note": "x" * 2000}, "id": 1})
        answer = (await _rpc(small, body)).json()
        assert answer["error"]["code"] == -32600
        assert answer["error"]["data"] == {"code": "payload_too_large", "limit": 1000}
        tiny = '{"jsonrpc": "2.0", "method": "db.tiny", "params": {"n": 1, "note": "over twenty bytes"}, "id": 1}'
        answer = (await _rpc(small, tiny)).json()
        assert answer["error"]["data"] == {"code": "payload_too_large", "limit": 20}


async def test_framing_errors(client) -> None:
    form = await client.post("/jsonrpc", content=b"a=1", headers={"content-type": "application/x-www-form-urlencoded"})
    assert (form.status_code, form.json()["error"]["code"]) == (200, -32600)
    get = await client.get("/jsonrpc")
    assert (get.status_code, get.headers["allow"], get.json()["error"]["code"]) == (405, "POST", -32600)
    preflight = await client.options("/jsonrpc", headers={"origin": "https://app.example"})
    assert preflight.status_code == 204


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"jsonrpc": "2.0", "method": "db.write", "params": {"n": 1, "note": "\xff\xfe"}, "id": 1}', -32700),
        (b'[{"jsonrpc": "2.0", "method": "db.write", "params": {"n": 1, "note": "\xc3"}, "id": 1}]', -32700),
        (b"[" * 1000 + b"]" * 1000, -32700),
        (b'{"jsonrpc": "2.0", "method": "db.write", "params": {"n": ' + b"[" * 1000 + b"]" * 1000 + b"}}", -32700),
        (b'{"jsonrpc": "2.0", "method": "db.write", "params": {"n": 1, "note": "a\\u0000b"}, "id": 1}', -32602),
    ],
    ids=["utf8", "utf8-in-batch", "deep-batch", "deep-params", "nul"],
)
async def test_hostile_input_is_an_error_never_a_500(client, body: bytes, code: int) -> None:
    response = await _rpc(client, body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["error"]["code"] == code, answer
    if code == -32602:
        assert answer["error"]["data"]["fields"] == [
            {"path": "note", "message": "Text may not contain the NUL character (\\u0000)"}
        ]
    assert not [e for e in events if e.startswith("write")]


async def test_a_hundred_thousand_bad_items_give_a_bounded_list(client) -> None:
    body = (
        b'{"jsonrpc":"2.0","method":"db.write","params":{"n":1,"items":[' + b",".join([b"{}"] * 100_000) + b']},"id":1}'
    )
    error = (await _rpc(client, body)).json()["error"]
    assert error["code"] == -32602
    assert len(error["data"]["fields"]) == 100
    assert error["data"]["omitted"] > 0


async def test_a_batch_whose_answers_grow_past_the_limit_runs_no_more_calls(client) -> None:
    # A few bytes of request must not ask for an answer of hundreds of megabytes.
    BIG_RUNS.clear()
    calls = [{"jsonrpc": "2.0", "method": "spec.big", "id": i} for i in range(10)]
    answers = (await _rpc(client, json.dumps(calls))).json()
    assert len(BIG_RUNS) == 3  # 3 x 1.5 MB passed the 4 MiB limit: the other 7 never ran
    assert [a["id"] for a in answers] == list(range(10))
    assert all("result" in a for a in answers[:3])
    for answer in answers[3:]:
        assert answer["error"]["code"] == -32000
        assert answer["error"]["data"] == {"code": "batch_response_too_large", "limit": MAX_BATCH_RESPONSE_BYTES}
