"""Declaring routes: `Router.route(...)` reads a handler's types once, at registration.

The handler's annotation says who may call it, and gives the handler the narrowed principal:

    Req[In]      public: anyone (`req.principal` is any Principal)
    UserReq[In]  a signed-in user (`req.principal.user_id: str`)
    OrgReq[In]   a member acting in their active organization (`org_id: str`, `role: str`)
    AdminReq[In] an administrator (panopticon)
"""

from __future__ import annotations

import collections.abc
import dataclasses
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

import msgspec

from foundation.errors import BlossomError
from foundation.rpc.db import RequestDb
from foundation.rpc.principal import AdminPrincipal, OrgPrincipal, Principal, SignedIn

Auth = Literal["public", "user", "organization", "admin"]
AUTH_LEVELS: tuple[Auth, ...] = ("public", "user", "organization", "admin")
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_BODY_BYTES = 1 << 20
_ROUTE_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_STREAMS = {collections.abc.AsyncIterator, collections.abc.AsyncIterable, collections.abc.AsyncGenerator}

In = TypeVar("In")
P = TypeVar("P", covariant=True)  # an OrgReq may go where a Req is expected
S = TypeVar("S", covariant=True)  # the app's services (product: ProductServices)


class Empty(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The input of a route that takes none (an empty body or `{}`)."""


class Request(Generic[In, P, S]):
    """What a handler receives: the validated body, who is calling (narrowed by the route's auth
    level), and the request's transaction. Handlers name it through the aliases below."""

    __slots__ = ("body", "client", "db", "headers", "principal", "request_id", "response_headers", "services")

    def __init__(
        self,
        body: In,
        principal: P,
        db: RequestDb,
        request_id: str,
        services: S = None,  # type: ignore[assignment]  # apps without services pass none
        client: str = "",
        headers: dict[bytes, bytes] | None = None,
    ) -> None:
        self.body = body
        self.principal = principal
        self.db = db
        self.request_id = request_id
        self.services = services  # the app's own services (clock, mailer, …): typed by its aliases
        self.client = client  # the client's address, for rate limits
        self.headers = headers if headers is not None else {}  # lower-case names, raw bytes
        self.response_headers: list[tuple[bytes, bytes]] = []  # sent with a successful response

    def set_cookie(self, header_value: str) -> None:
        self.response_headers.append((b"set-cookie", header_value.encode()))


# For apps without services of their own; an app with some declares the same four with its type
# (product/rpc.py), so that `req.services` is typed in its handlers.
Req = Request[In, Principal, Any]
UserReq = Request[In, SignedIn, Any]
OrgReq = Request[In, OrgPrincipal, Any]
AdminReq = Request[In, AdminPrincipal, Any]
# The auth level each principal type stands for (the annotation's second argument).
_AUTH_OF_PRINCIPAL: dict[Any, Auth] = {
    Principal: "public",
    SignedIn: "user",
    OrgPrincipal: "organization",
    AdminPrincipal: "admin",
}

# A handler returns an awaitable of its output, or (streaming) an async iterator of events.
Handler = Callable[[Request[Any, Any, Any]], Any]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True, eq=False)
class RouteSpec:
    name: str
    handler: Handler
    auth: Auth
    errors: tuple[type[BlossomError], ...]
    input_type: Any
    output_type: Any  # for a streaming route: the type of each event
    streaming: bool
    read_only: bool
    timeout: float | None
    max_body: int
    summary: str
    deprecated: bool  # still served; marked in the contract, OpenAPI and client, and removable later
    decoder: msgspec.json.Decoder = field(repr=False)


class RouteDeclarationError(TypeError):
    pass


def _types(handler: Callable[..., Any], name: str) -> tuple[Any, Auth, Any, bool]:
    """(input type, auth level, output or event type, streaming) from the handler's annotations."""
    hints = typing.get_type_hints(handler, include_extras=True)
    params = [p for p in hints if p != "return"]
    if len(params) != 1 or typing.get_origin(hints[params[0]]) is not Request:
        raise RouteDeclarationError(
            f"route {name}: the handler takes exactly one argument annotated Req, UserReq, OrgReq or AdminReq[Input]"
        )
    input_type, principal_type, _services = typing.get_args(hints[params[0]])
    auth = _AUTH_OF_PRINCIPAL.get(principal_type)
    if auth is None:
        raise RouteDeclarationError(f"route {name}: annotate the argument with Req, UserReq, OrgReq or AdminReq")
    output = hints.get("return")
    if output is None:
        raise RouteDeclarationError(f"route {name}: annotate the handler's return type")
    if typing.get_origin(output) in _STREAMS:
        return input_type, auth, typing.get_args(output)[0], True
    return input_type, auth, output, False


def _loose_structs(annotation: Any, seen: set[Any] | None = None) -> list[str]:
    """Names of the types reachable from an input type that would ignore unknown fields (a
    client's misspelt or malicious field must be refused, not silently dropped): Structs without
    forbid_unknown_fields, and dataclasses, attrs classes and TypedDicts, which cannot forbid them."""
    seen = set() if seen is None else seen
    if isinstance(annotation, type) and (
        dataclasses.is_dataclass(annotation)
        or hasattr(annotation, "__attrs_attrs__")
        or typing.is_typeddict(annotation)
    ):
        return [f"{annotation.__name__} (use a msgspec Struct)"]
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        if annotation in seen:
            return []
        seen.add(annotation)
        loose = [] if annotation.__struct_config__.forbid_unknown_fields else [annotation.__name__]
        for field in msgspec.structs.fields(annotation):
            loose += _loose_structs(field.type, seen)
        return loose
    return [name for arg in typing.get_args(annotation) for name in _loose_structs(arg, seen)]


class Router:
    """One app's routes. Features declare with `@router.route(...)`; the app serves the router."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self.routes: dict[str, RouteSpec] = {}

    def including(self, *others: Router) -> Router:
        """A router serving this one's routes and the others' (an app that serves a
        development-only set beside its own); a name declared twice is an error."""
        combined = Router(self.app_name)
        for router in (self, *others):
            for name, spec in router.routes.items():
                if name in combined.routes:
                    raise RouteDeclarationError(f"route {name} is declared in two routers of {self.app_name}")
                combined.routes[name] = spec
        return combined

    def route(
        self,
        name: str,
        *,
        auth: Auth | None = None,
        errors: collections.abc.Sequence[type[BlossomError]] = (),
        read_only: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
        max_body: int = DEFAULT_MAX_BODY_BYTES,
        deprecated: bool = False,
    ) -> Callable[[H], H]:
        if not _ROUTE_NAME.match(name):
            raise RouteDeclarationError(f"route name {name!r}: use dotted lowercase names such as `orgs.create`")
        if auth is not None and auth not in AUTH_LEVELS:
            raise RouteDeclarationError(f"route {name}: auth must be one of {AUTH_LEVELS}")

        def register(handler: H) -> H:
            if name in self.routes:
                raise RouteDeclarationError(f"route {name} is declared twice in {self.app_name}")
            input_type, annotated_auth, output_type, streaming = _types(handler, name)
            # `auth=` may only restate the annotation's level, or narrow a plain `Req` (whose
            # handler then sees the broad Principal type).
            if auth is not None and annotated_auth not in ("public", auth):
                raise RouteDeclarationError(
                    f"route {name}: auth={auth!r} disagrees with the handler's annotation ({annotated_auth})"
                )
            level: Auth = auth or annotated_auth
            if loose := _loose_structs(input_type):
                raise RouteDeclarationError(
                    f"route {name}: declare input Structs with forbid_unknown_fields=True ({', '.join(loose)})"
                )
            self.routes[name] = RouteSpec(
                name=name,
                handler=handler,
                auth=level,
                errors=tuple(errors),
                input_type=input_type,
                output_type=output_type,
                streaming=streaming,
                read_only=read_only,
                timeout=None if streaming else timeout,
                max_body=max_body,
                summary=(handler.__doc__ or "").strip(),
                deprecated=deprecated,
                decoder=msgspec.json.Decoder(input_type),
            )
            return handler

        return register
