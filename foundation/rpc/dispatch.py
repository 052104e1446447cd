"""The RPC dispatcher: a plain ASGI app in front of the web app (foundation/web.py) that
serves `/rpc/<route>` and `/jsonrpc` (JSON-RPC 2.0 over the same routes: `jsonrpc.py`).

Path of a request: route lookup → method → body read (size-limited) → authentication →
CSRF/origin → authorization level → JSON content type → one-pass decode into the input Struct →
handler (timeout; `req.db` committed on return, rolled back on error; the pooled connection goes
back to the pool) → one-pass encode → response. From authentication to the commit the steps
are `_admit` and `_run`, which each call of a /jsonrpc request goes through too. Anything else
(health, docs, lifespan) goes to the fallback app.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from functools import partial
from typing import Any
from urllib.parse import parse_qs

import msgspec

from foundation.deadlines import Deadlines
from foundation.errors import (
    BlossomError,
    Forbidden,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
)
from foundation.logging import access_log, get_logger, start_request
from foundation.rpc import jsonrpc
from foundation.rpc.aliases import JsonRpcAlias, client_params
from foundation.rpc.api_keys import bearer_token, check_key
from foundation.rpc.errors import (
    READ_ONLY_SQLSTATE,
    FieldError,
    InsufficientRole,
    MethodNotAllowed,
    NotDuringImpersonation,
    ReadOnlySession,
    RouteNotFound,
    Timeout,
    UndeclaredError,
    ValidationFailed,
)
from foundation.rpc.idempotency import Guard, IdempotencyStore, Replayed, guard_for
from foundation.rpc.principal import ANONYMOUS, AdminPrincipal, OrgPrincipal, Principal, UserPrincipal
from foundation.rpc.request import Lease, Request, RequestDatabase, RequestDb
from foundation.rpc.routes import DEFAULT_MAX_BODY_BYTES, Router, RouteSpec
from foundation.rpc.validation import collect_errors, decode_integral_floats, nul_errors
from foundation.web import request_id_from

Scope = MutableMapping[str, Any]
# Once a batch's answers pass this size, its remaining calls are not run: each is answered with
# an error saying so (a few bytes of request could otherwise ask for many large answers).
MAX_BATCH_RESPONSE_BYTES = 4 << 20
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]  # loose: servers type these differently
Headers = dict[bytes, bytes]
# Gets the request's connection lease (None when the app has no database) to look the caller up.
Authenticate = Callable[[Headers, "Lease | None"], Awaitable[Principal]]
# Told of a signed-in caller refused for their role: (route, principal, client address, the
# request's lease, for a write in a short transaction of its own). Raising is not its way to answer.
OnDenied = Callable[[str, Principal, str, "Lease | None"], Awaitable[None]]

PREFIX = "/rpc/"
CLIENT_CLOSED = 499  # the access log's status for a stream the client left (nginx's convention)
# Errors any route may answer with: they come from the protocol, not from the handler's logic.
COMMON_ERRORS: tuple[type[BlossomError], ...] = (
    ValidationFailed,
    Unauthenticated,
    Forbidden,
    RouteNotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Timeout,
    Unavailable,  # the database or a service the route needs is out of reach: try again later
)

log = get_logger("blossom.rpc")
_NO_TRANSACTION = RequestDb(None)  # until the route's own: nothing to finish (stateless, so shared)
_encoder = msgspec.json.Encoder()


async def anonymous(headers: Headers, lease: Lease | None) -> Principal:
    return ANONYMOUS


def _authorize(route: RouteSpec, principal: Principal) -> None:
    """The principal's kind must serve the route's level; the handler's annotation relies on it.
    A read-only impersonation calls read routes only."""
    auth = route.auth
    impersonation = principal.impersonation
    if impersonation is not None:
        if impersonation.read_only and not route.read_only:
            raise ReadOnlySession("this impersonation is read-only: only read routes answer it")
        if not route.impersonation:
            raise NotDuringImpersonation(f"{route.name} cannot be called while impersonating the user")
    if auth == "public":
        return
    if auth == "admin":
        if not isinstance(principal, AdminPrincipal):
            raise (Unauthenticated if principal.kind == "anonymous" else Forbidden)("this route is for administrators")
        if route.role is not None and principal.role not in route.allowed_roles:
            raise InsufficientRole(f"this route needs the {route.role} role or above", required_role=route.role)
        return
    if isinstance(principal, OrgPrincipal):
        return
    if isinstance(principal, UserPrincipal):
        if auth == "organization":
            raise Forbidden("choose an active organization first")
        return
    if isinstance(principal, AdminPrincipal):
        raise Forbidden("this route is for users")
    raise Unauthenticated("sign in to call this route")


class RpcApp:
    def __init__(
        self,
        router: Router,
        fallback: Any,  # the app for everything outside /rpc/ (foundation.web: health, docs, lifespan)
        *,
        authenticate: Authenticate = anonymous,
        database: RequestDatabase | None = None,
        allowed_origins: Iterable[str] = (),
        trusted_proxies: Iterable[str] = (),
        strict_errors: bool = False,
        services: Any = None,
        jsonrpc_max_body: int = DEFAULT_MAX_BODY_BYTES,
        idempotency: IdempotencyStore | None = None,
        on_denied: OnDenied | None = None,
    ) -> None:
        self.router = router
        self.fallback = fallback
        self.authenticate = authenticate
        self.database = database  # req.db's transactions, the request's lease, outage answers
        # Other origins (a frontend on its own host) allowed to call with credentials: CORS headers
        # for them, precomputed, and the CSRF check accepts them.
        self.allowed_origins = {origin.encode() for origin in allowed_origins}
        self._cors = {origin: _cors_headers(origin) for origin in self.allowed_origins}
        # Reverse proxies whose X-Forwarded-For names the client (their own address is not it).
        self.trusted_proxies = frozenset(trusted_proxies)
        self.strict_errors = strict_errors  # tests: an undeclared error also raises, loudly
        self.services = services
        self.jsonrpc_max_body = jsonrpc_max_body  # a whole /jsonrpc body, batch included
        self.idempotency = idempotency  # where idempotent routes keep their answers
        self.on_denied = on_denied  # told of each signed-in caller refused for their role (panopticon's audit)
        self._routes = {PREFIX + name: route for name, route in router.routes.items()}
        self._aliases = _served_aliases(router)
        self._deadlines = Deadlines()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        # A coroutine function, so servers that sniff ASGI 2 from ASGI 3 (uvicorn, asgiref)
        # recognise the app.
        if scope["type"] == "http":
            path = scope["path"]
            if path.startswith(PREFIX):
                if scope["method"] == "OPTIONS":
                    await self._preflight(scope, send)
                else:
                    await self._handle(scope, receive, send)
                return
            if path == jsonrpc.PATH:
                if scope["method"] == "OPTIONS":
                    await self._preflight(scope, send)
                else:
                    await self._handle_jsonrpc(scope, receive, send)
                return
        await self.fallback(scope, receive, send)

    async def _preflight(self, scope: Scope, send: Send) -> None:
        """CORS preflight: 204 with the allowed methods and headers for an allowed origin and a
        route that exists, 403 (and no CORS headers, so the browser refuses the call) otherwise."""
        origin = dict(scope["headers"]).get(b"origin")
        cors = self._cors.get(origin) if origin is not None else None
        if cors is None or (scope["path"] not in self._routes and scope["path"] != jsonrpc.PATH):
            await send({"type": "http.response.start", "status": 403, "headers": [(b"content-length", b"0")]})
        else:
            await send({"type": "http.response.start", "status": 204, "headers": [*cors, *_PREFLIGHT_HEADERS]})
        await send({"type": "http.response.body", "body": b""})

    def _check_origin(self, scope: Scope, headers: Headers, with_cookie: bool) -> None:
        """CSRF: a call that carries cookies must come from our own origin (scheme and host), or
        from an allowed one."""
        if not with_cookie:
            return
        if headers.get(b"sec-fetch-site") == b"cross-site":
            raise Forbidden("cross-site request refused")
        origin = headers.get(b"origin")
        if origin is not None and origin not in self.allowed_origins:
            scheme = scope.get("scheme", "http").encode()
            client = scope.get("client")
            forwarded = headers.get(b"x-forwarded-proto")
            if forwarded and client and client[0] in self.trusted_proxies:  # TLS ends at the proxy
                scheme = forwarded.split(b",")[0].strip()
            if origin != scheme + b"://" + headers.get(b"host", b""):
                raise Forbidden("request from another origin refused")

    async def _read_body(self, receive: Receive, headers: Headers, limit: int) -> bytes:
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise PayloadTooLarge(f"request body over {limit} bytes", limit=limit)
        message = await receive()
        body = message.get("body", b"")
        if not message.get("more_body"):  # the common case: the whole body in one message
            if len(body) > limit:
                raise PayloadTooLarge(f"request body over {limit} bytes", limit=limit)
            return body
        chunks = [body]
        size = len(body)
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"request body over {limit} bytes", limit=limit)
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    @staticmethod
    def _query_input(scope: Scope) -> bytes:
        """A GET's input: the `input` query parameter (JSON), `{}` without one."""
        query_string = scope.get("query_string", b"")
        if not query_string:
            return b"{}"
        try:
            query = parse_qs(query_string.decode("ascii"), errors="strict")
        except UnicodeDecodeError:
            raise ValidationFailed(
                [FieldError("input", "The query string is not valid UTF-8")], message="invalid input: not UTF-8"
            ) from None
        return query.get("input", ["{}"])[0].encode()

    def _decode(self, route: RouteSpec, raw: bytes) -> Any:
        try:
            body = route.decoder.decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            body = decode_integral_floats(raw, route.decoder)
            if body is None:
                found = collect_errors(raw, route.input_type)
                raise ValidationFailed(found.listed, omitted=found.omitted) from None
        # JSON carries a NUL only escaped, so the scan of the decoded body runs only when the
        # bytes hold one (rare: an escaped backslash before "u0000" also matches, harmlessly).
        if b"\\u0000" in raw and (nul := nul_errors(body)):
            raise ValidationFailed(nul)
        return body

    def _client_address(self, scope: Scope, headers: Headers) -> str:
        client = scope.get("client")
        address = client[0] if client else ""
        if address in self.trusted_proxies:
            address = _forwarded_client(headers, self.trusted_proxies, address)
        return address

    # The per-call steps, shared by /rpc/<route> and each call of /jsonrpc: `_admit` (who calls,
    # CSRF, the auth level, the input), then `_run` (the handler under its deadline, in its own
    # `req.db`, committed or rolled back), and `_answerable` for what a failure answers.

    async def _admit(
        self,
        route: RouteSpec,
        raw: bytes,
        scope: Scope,
        headers: Headers,
        lease: Lease | None,
        json_checked: bool,
        authenticate: Authenticate | None = None,
    ) -> tuple[Principal, Any]:
        """Authentication (on the request's lease; `authenticate`: an alias's, around the app's),
        CSRF/origin, the route's auth level, then the one-pass decode: the body is decoded only
        once the caller may call the route."""
        if not route.authenticates:
            return self._admit_anonymous(route, raw, scope, headers, json_checked)
        principal = await (authenticate or self.authenticate)(headers, lease)
        self._check_origin(scope, headers, principal.via_cookie)
        if principal.api_key is not None:
            check_key(route, principal)
        try:
            _authorize(route, principal)
        except InsufficientRole:
            if self.on_denied is not None:
                await self.on_denied(route.name, principal, self._client_address(scope, headers), lease)
            raise
        return principal, self._input(route, raw, headers, json_checked)

    def _admit_anonymous(
        self, route: RouteSpec, raw: bytes, scope: Scope, headers: Headers, json_checked: bool
    ) -> tuple[Principal, Any]:
        """`_admit` for a route that looks nobody up (synchronous: nothing to wait for). The
        browser's cookies ride along all the same: another site's call is refused as for a cookie
        caller (a login CSRF swapping the session)."""
        self._check_origin(scope, headers, b"cookie" in headers)
        if not route.api_keys and bearer_token(headers.get(b"authorization")) is not None:
            raise Forbidden(f"{route.name} cannot be called with an API key")
        _authorize(route, ANONYMOUS)  # (an anonymous caller is never refused for a role)
        return ANONYMOUS, self._input(route, raw, headers, json_checked)

    def _input(self, route: RouteSpec, raw: bytes, headers: Headers, json_checked: bool) -> Any:
        if not json_checked and not headers.get(b"content-type", b"").startswith(b"application/json"):
            raise UnsupportedMediaType("send the body as application/json")
        return self._decode(route, raw)

    async def _run(
        self,
        route: RouteSpec,
        principal: Principal,
        body: Any,
        lease: Lease | None,
        request_id: str,
        address: str,
        headers: Headers,
        guard: Guard | None = None,
    ) -> tuple[bytes, Request[Any, Any, Any]]:
        """The handler under the route's timeout, in a `req.db` of its own: committed when it
        returns, rolled back when it (or the commit) fails; its encoded output. With an
        idempotency `guard`, the key is claimed when the transaction opens (`Replayed` when the
        key's first request answered already) and the answer stored in it before the commit."""
        database = self.database
        db = RequestDb(partial(database.transaction, principal, lease)) if database is not None else _NO_TRANSACTION
        if guard is not None:
            db.on_open(guard.begin)
        req: Request[Any, Any, Any] = Request(body, principal, db, request_id, self.services, address, headers)
        try:
            if route.timeout is None:
                output = await route.handler(req)
            else:
                task = self._deadlines.watch(route.timeout)
                try:
                    output = await route.handler(req)
                except asyncio.CancelledError:
                    if self._deadlines.expired(task):
                        raise Timeout(f"{route.name} took longer than {route.timeout} s") from None
                    raise
                finally:
                    self._deadlines.expired(task)
            encoded = _encoder.encode(output)
            if guard is not None and guard.claimed:
                await guard.finish(await db.connection(), encoded)
        except Exception as error:
            await db.finish(error)
            raise
        if db.pending:  # (most cheap routes open nothing: no coroutine to await)
            await db.finish(None)
        return encoded, req

    def _answerable(self, route: RouteSpec | None, name: str, error: Exception) -> BlossomError | None:
        """What a failed call answers: its error when the route declares it (or it is a common
        one), the outage answer when the database is out of reach, else None: an internal error,
        logged here (call it inside the `except` block, for the traceback)."""
        if getattr(error, "sqlstate", None) == READ_ONLY_SQLSTATE:  # a write in a READ ONLY transaction
            error = ReadOnlySession("this session is read-only: the write was refused")
        if isinstance(error, BlossomError):
            if route is None or isinstance(error, (*COMMON_ERRORS, *route.errors)):
                return error
            log.error("undeclared_error", route=name, error=type(error).__name__, code=error.code)
            return None
        if self.database is not None and (outage := self.database.unavailable(error)) is not None:
            return outage  # the database is out of reach: logged once per outage, not here
        log.exception("unhandled_error", route=name)
        return None

    def _raise_if_strict(self, route: RouteSpec | None, name: str, error: Exception) -> None:
        if not self.strict_errors:
            return
        if isinstance(error, BlossomError):
            raise UndeclaredError(f"route {name} raised {type(error).__name__}, which it does not declare") from error
        raise error

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers: Headers = dict(scope["headers"])
        given = headers.get(b"x-request-id")
        request_id = request_id_from(given.decode("latin-1") if given else None)
        start_request(request_id)
        route = self._routes.get(scope["path"])
        name = route.name if route else scope["path"][len(PREFIX) :]
        origin = headers.get(b"origin")
        cors = self._cors.get(origin) if origin is not None else None
        status = 500
        database = self.database
        lease = database.lease() if database is not None else None
        try:
            if route is None:
                raise RouteNotFound(f"no route {name!r}")
            method = scope["method"]
            if method != "POST" and not (method == "GET" and route.read_only):
                raise MethodNotAllowed("use POST" + (" or GET" if route.read_only else ""))
            # The body is read (size-limited) before authentication takes the request's pooled
            # connection, so the connection is not held while the client's bytes arrive.
            if method == "GET":
                raw = self._query_input(scope)
            else:
                raw = await self._read_body(receive, headers, route.max_body) or b"{}"
            if route.authenticates:
                principal, body = await self._admit(route, raw, scope, headers, lease, method == "GET")
            else:  # nobody to look up: no coroutine to await
                principal, body = self._admit_anonymous(route, raw, scope, headers, method == "GET")
            address = self._client_address(scope, headers)
            if route.streaming:
                # A stream holds no connection between its events: the one authentication used
                # goes back now, and each database step is a short transaction of its own.
                if lease is not None and lease.held:
                    await lease.release()
                stream_db = (
                    RequestDb(partial(database.transaction, principal, None), streaming=True)
                    if database
                    else _NO_TRANSACTION
                )
                stream_req: Request[Any, Any, Any] = Request(
                    body, principal, stream_db, request_id, self.services, address, headers
                )
                status = await self._stream(route, stream_req, receive, send, request_id, cors)
                return
            # An idempotent route called with an Idempotency-Key (over /rpc/ only: a JSON-RPC batch
            # has one set of headers for all its calls) claims the key in its transaction.
            guard = guard_for(self.idempotency, name, headers, principal, raw) if route.idempotent else None
            encoded, req = await self._run(route, principal, body, lease, request_id, address, headers, guard)
            if lease is not None and lease.held:
                await lease.release()  # back to the pool before the response goes out
            status = 200
            await _send(send, 200, encoded, request_id, req.response_headers, cors)
        except Replayed as replay:  # the key's first request answered already: its answer again
            status = 200
            await _send(send, 200, replay.response, request_id, [(b"idempotent-replayed", b"true")], cors)
        except Exception as error:  # noqa: BLE001 (every failure is answered; `_answerable` logs the unexpected)
            answer = self._answerable(route, name, error)
            if answer is None:
                status = 500
                await _send_error(send, 500, "internal", "internal error", request_id, cors)
                self._raise_if_strict(route, name, error)
                return
            status = answer.status
            await _send(send, status, _encoder.encode(answer.envelope()), request_id, _retry_after(answer), cors)
        finally:
            if lease is not None and lease.held:
                await lease.release()
            elapsed_us = int((time.perf_counter() - started) * 1_000_000)
            access_log(request_id, route=name, status=status, latency_ms=elapsed_us / 1000)

    async def _handle_jsonrpc(self, scope: Scope, receive: Receive, send: Send) -> None:
        """`POST /jsonrpc`: one request object or a batch of them, each call run through the same
        steps as `/rpc/<route>`, one after the other. Each call takes the request's connection
        lease on first use and gives it back when it ends, so a request never holds two, and a
        batch does not keep one while its calls that need none run. 200 with a body whenever
        there is something to answer, 204 when only notifications were sent."""
        started = time.perf_counter()
        headers: Headers = dict(scope["headers"])
        given = headers.get(b"x-request-id")
        request_id = request_id_from(given.decode("latin-1") if given else None)
        start_request(request_id)
        origin = headers.get(b"origin")
        cors = self._cors.get(origin) if origin is not None else None
        status = 500
        name = "jsonrpc"
        response_headers: list[tuple[bytes, bytes]] = []
        strict_failure: list[tuple[RouteSpec | None, str, Exception]] = []
        try:
            if scope["method"] != "POST":
                status = 405
                body = jsonrpc.error_response(b"null", jsonrpc.INVALID_REQUEST, "Invalid Request: use POST")
                await _send(send, 405, body, request_id, [(b"allow", b"POST")], cors)
                return
            try:
                if not headers.get(b"content-type", b"").startswith(b"application/json"):
                    raise jsonrpc.Refusal(
                        jsonrpc.INVALID_REQUEST,
                        "Invalid Request: send the body as application/json",
                        {"code": "unsupported_media_type"},
                    )
                try:
                    raw = await self._read_body(receive, headers, self.jsonrpc_max_body)
                except PayloadTooLarge as error:
                    raise jsonrpc.Refusal(
                        jsonrpc.INVALID_REQUEST,
                        f"Invalid Request: {error.message}",
                        {"code": error.code, **error.fields},
                    ) from None
                jsonrpc.check_text(raw)
                batch = jsonrpc.read_batch(raw)
            except jsonrpc.Refusal as refusal:
                status = 200
                await _send(send, 200, refusal.response, request_id, None, cors)
                return
            address = self._client_address(scope, headers)
            if batch is None:
                answer = await self._jsonrpc_call(
                    raw, scope, headers, request_id, address, response_headers, strict_failure
                )
                name = answer[0]
                answers = [answer[1]] if answer[1] is not None else []
            else:
                name = "jsonrpc.batch"
                answers = []
                answered = 0  # bytes so far: a batch of small calls must not build a huge answer
                for item in batch:
                    if answered > MAX_BATCH_RESPONSE_BYTES:
                        one = jsonrpc.not_run(item, MAX_BATCH_RESPONSE_BYTES)
                    else:
                        _, one = await self._jsonrpc_call(
                            item, scope, headers, request_id, address, response_headers, strict_failure
                        )
                    if one is not None:
                        answers.append(one)
                        answered += len(one)
            if not answers:
                status = 204
                await send({"type": "http.response.start", "status": 204, "headers": _no_content(request_id, cors)})
                await send({"type": "http.response.body", "body": b""})
            else:
                status = 200
                body = answers[0] if batch is None else b"[" + b",".join(answers) + b"]"
                await _send(send, 200, body, request_id, response_headers, cors)
            if strict_failure:
                self._raise_if_strict(*strict_failure[0])
        finally:
            elapsed_us = int((time.perf_counter() - started) * 1_000_000)
            access_log(request_id, route=name, status=status, latency_ms=elapsed_us / 1000)

    def _jsonrpc_failure(
        self,
        route: RouteSpec | None,
        name: str,
        error: Exception,
        params: bytes,
        request_id_bytes: bytes,
        log_id: str,
        strict_failure: list[tuple[RouteSpec | None, str, Exception]],
    ) -> bytes:
        if isinstance(error, _NotHere):
            return jsonrpc.error_response(
                request_id_bytes,
                jsonrpc.METHOD_NOT_FOUND,
                f"Method not found: {name} streams Server-Sent Events; call it at {PREFIX}{name}",
                {"code": "streaming_route", "path": PREFIX + name},
            )
        answer = self._answerable(route, name, error)
        if answer is None:
            if self.strict_errors:
                strict_failure.append((route, name, error))
            return jsonrpc.internal_error(request_id_bytes, log_id)
        if isinstance(answer, RouteNotFound):
            code = jsonrpc.METHOD_NOT_FOUND
            return jsonrpc.error_response(request_id_bytes, code, f"Method not found: {name}", {"code": answer.code})
        if isinstance(answer, ValidationFailed) and (refusal := jsonrpc.params_refusal(params, request_id_bytes)):
            return refusal.response
        return jsonrpc.application_error(request_id_bytes, answer)

    async def _jsonrpc_call(
        self,
        raw: bytes | msgspec.Raw,
        scope: Scope,
        headers: Headers,
        request_id: str,
        address: str,
        response_headers: list[tuple[bytes, bytes]],
        strict_failure: list[tuple[RouteSpec | None, str, Exception]],
    ) -> tuple[str, bytes | None]:
        """One call of a /jsonrpc request: (the method, for the access log; its response, or None
        for a notification). Never raises: every failure is its response."""
        try:
            call, request_id_bytes = jsonrpc.read_call(raw)
        except jsonrpc.Refusal as refusal:
            return "jsonrpc", refusal.response  # answered even without an id: it is no request
        name = call.method
        route = self._routes.get(PREFIX + name)
        alias: JsonRpcAlias | None = None
        if route is None and name in self._aliases:
            alias, route = self._aliases[name]
        database = self.database
        lease = database.lease() if database is not None else None
        params = bytes(call.params) if call.params else b"{}"
        try:
            if route is None:
                raise RouteNotFound(f"no route {name!r}")
            if route.streaming:
                raise _NotHere
            if len(params) > route.max_body:
                raise PayloadTooLarge(f"params over {route.max_body} bytes", limit=route.max_body)
            if alias is None:
                principal, body = await self._admit(route, params, scope, headers, lease, True)
                encoded, req = await self._run(route, principal, body, lease, request_id, address, headers)
            else:
                encoded, req = await self._run_alias(alias, route, params, scope, headers, lease, request_id, address)
            if lease is not None and lease.held:
                await lease.release()
            response_headers += req.response_headers
            if request_id_bytes is None:
                return name, None
            return name, jsonrpc.result_response(request_id_bytes, encoded)
        except Exception as error:  # noqa: BLE001 (as in `_handle`: every failure is this call's answer)
            if request_id_bytes is None:  # a notification: nothing answers it, whatever happened
                if (
                    not isinstance(error, _NotHere)
                    and self._answerable(route, name, error) is None
                    and self.strict_errors
                ):
                    strict_failure.append((route, name, error))
                return name, None
            return name, self._jsonrpc_failure(route, name, error, params, request_id_bytes, request_id, strict_failure)
        finally:
            if lease is not None and lease.held:
                await lease.release()

    async def _run_alias(
        self,
        alias: JsonRpcAlias,
        route: RouteSpec,
        params: bytes,
        scope: Scope,
        headers: Headers,
        lease: Lease | None,
        request_id: str,
        address: str,
    ) -> tuple[bytes, Request[Any, Any, Any]]:
        """A call of an alias (aliases.py): its route's steps, with the alias's adapters around them."""
        given = client_params(params)
        call_headers = alias.headers(given, headers)
        raw = _encoder.encode(alias.params(given))

        async def authenticate(headers: Headers, lease: Lease | None) -> Principal:
            principal = await self.authenticate(headers, lease)
            alias.admit(given, principal)
            return principal

        principal, body = await self._admit(route, raw, scope, call_headers, lease, True, authenticate)
        encoded, req = await self._run(route, principal, body, lease, request_id, address, call_headers)
        return _encoder.encode(alias.answer(msgspec.json.decode(encoded), given)), req

    async def _stream(
        self,
        route: RouteSpec,
        req: Request[Any, Any, Any],
        receive: Receive,
        send: Send,
        request_id: str,
        cors: list[tuple[bytes, bytes]] | None,
    ) -> int:
        """Server-Sent Events: one `data:` line of JSON per item; a client disconnect cancels the
        handler. A failure ends the stream with an `error` event (never a stack trace) and is
        logged. Returns the status for the access log: 200, the error's status, 500, or 499 when
        the client went away first."""
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream"),
                    (b"cache-control", b"no-store"),
                    (b"x-request-id", request_id.encode()),
                    *(cors or ()),
                ],
            }
        )

        async def error_event(envelope: dict[str, Any]) -> None:
            event = b"event: error\ndata: " + _encoder.encode(envelope) + b"\n\n"
            with contextlib.suppress(Exception):  # the client may be gone already
                await send({"type": "http.response.body", "body": event, "more_body": True})

        async def pump() -> int:
            status = 200
            try:
                async for item in route.handler(req):
                    await send(
                        {
                            "type": "http.response.body",
                            "body": b"data: " + _encoder.encode(item) + b"\n\n",
                            "more_body": True,
                        }
                    )
            except BlossomError as error:
                if isinstance(error, (*COMMON_ERRORS, *route.errors)):
                    status = error.status
                    log.info("stream_error", route=route.name, code=error.code)
                    await error_event(error.envelope())
                else:
                    status = 500
                    log.error("undeclared_error", route=route.name, error=type(error).__name__, code=error.code)
                    await error_event(_internal(request_id))
            except Exception as error:
                if self.database is not None and (outage := self.database.unavailable(error)) is not None:
                    status = outage.status
                    log.info("stream_error", route=route.name, code=outage.code)
                    await error_event(outage.envelope())
                else:
                    status = 500
                    log.exception("stream_failed", route=route.name)
                    await error_event(_internal(request_id))
            with contextlib.suppress(Exception):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return status

        async def disconnected() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        pumping = asyncio.ensure_future(pump())
        watching = asyncio.ensure_future(disconnected())
        done, _ = await asyncio.wait({pumping, watching}, return_when=asyncio.FIRST_COMPLETED)
        if pumping in done:
            watching.cancel()
            await asyncio.gather(watching, return_exceptions=True)
            return pumping.result()
        pumping.cancel()  # the handler's open transaction, if any, rolls back as it unwinds
        await asyncio.gather(pumping, return_exceptions=True)
        log.info("stream_cancelled", route=route.name)
        return CLIENT_CLOSED


def _served_aliases(router: Router) -> dict[str, tuple[JsonRpcAlias, RouteSpec]]:
    """Each alias with its route, which also answers with the alias's own declared errors."""
    served = {}
    for name, alias in router.aliases.items():
        route = router.routes.get(alias.route)
        if route is None or route.streaming:
            raise ValueError(f"JSON-RPC alias {name}: {alias.route} is no route that answers once")
        served[name] = (alias, dataclasses.replace(route, errors=(*route.errors, *alias.errors)))
    return served


class _NotHere(Exception):
    """A streaming route called through /jsonrpc."""


def _no_content(request_id: str, cors: list[tuple[bytes, bytes]] | None) -> list[tuple[bytes, bytes]]:
    return [(b"cache-control", b"no-store"), (b"x-request-id", request_id.encode()), *(cors or ())]


def _retry_after(error: BlossomError) -> list[tuple[bytes, bytes]]:
    if isinstance(error, (RateLimited, Unavailable)):
        return [(b"retry-after", str(error.retry_after_seconds).encode())]
    return []


def _internal(request_id: str) -> dict[str, Any]:
    return {"error": {"code": "internal", "message": "internal error", "request_id": request_id}}


_JSON_HEADERS = ((b"content-type", b"application/json"), (b"cache-control", b"no-store"))


async def _send(
    send: Send,
    status: int,
    body: bytes,
    request_id: str,
    extra: list[tuple[bytes, bytes]] | None = None,
    cors: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [*_JSON_HEADERS, (b"content-length", b"%d" % len(body)), (b"x-request-id", request_id.encode())]
    if extra:
        headers += extra
    if cors:
        headers += cors
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_error(
    send: Send, status: int, code: str, message: str, request_id: str, cors: list[tuple[bytes, bytes]] | None = None
) -> None:
    envelope = {"error": {"code": code, "message": message, "request_id": request_id}}
    await _send(send, status, _encoder.encode(envelope), request_id, None, cors)


def _forwarded_client(headers: Headers, proxies: frozenset[str], peer: str) -> str:
    """The client a trusted proxy forwarded for: the nearest X-Forwarded-For entry that is not
    itself a trusted proxy (entries further left are the client's word, and could be forged)."""
    forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
    for entry in reversed(forwarded.split(",")):
        address = entry.strip()
        if address and address not in proxies:
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return peer  # not an address: trust nothing it says
    return peer


def _cors_headers(origin: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"access-control-allow-origin", origin),
        (b"access-control-allow-credentials", b"true"),
        (b"access-control-expose-headers", b"x-request-id, retry-after"),
        (b"vary", b"origin"),
    ]


_PREFLIGHT_HEADERS = [
    (b"access-control-allow-methods", b"GET, POST"),
    (b"access-control-allow-headers", b"content-type, x-request-id, idempotency-key"),
    (b"access-control-max-age", b"600"),
    (b"content-length", b"0"),
]
