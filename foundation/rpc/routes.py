"""Declaring routes: `Router.route(...)` reads a handler's types once, at registration.

The handler's annotation says who may call it, and gives the handler the narrowed principal:

    Req[In]      public: anyone (`req.principal` is any Principal: a session cookie is looked up)
    AnonymousReq[In] public, and who calls does not matter: the caller is never looked up (a
                 cookie costs no database round trip), `req.principal` is always ANONYMOUS
    UserReq[In]  a signed-in user (`req.principal.user_id: str`)
    OrgReq[In]   a member acting in their active organization (`org_id: str`, `role: str`)
    AdminReq[In] an administrator (panopticon)

A router built with a role ladder (`Router("panopticon", roles=("viewer", ..., "owner"))`, lowest
first) requires every signed-in route to name its minimum, `@router.route(..., role="support")`:
the dispatcher refuses a principal whose `role` is below it with 403 `insufficient_role` (declared
for the route), before the body is decoded. The contract states each route's minimum.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

import msgspec

from foundation.errors import BlossomError
from foundation.rpc.aliases import ALIAS_NAME, JsonRpcAlias
from foundation.rpc.errors import InsufficientRole, NotDuringImpersonation, ReadOnlySession
from foundation.rpc.idempotency import IdempotencyKeyReused
from foundation.rpc.principal import AdminPrincipal, AnonymousPrincipal, OrgPrincipal, Principal, SignedIn
from foundation.rpc.request import Request

Auth = Literal["public", "user", "organization", "admin"]
ApiKeys = bool | Literal["personal"]  # which API keys may call a route (foundation/rpc/api_keys.py)
AUTH_LEVELS: tuple[Auth, ...] = ("public", "user", "organization", "admin")
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_BODY_BYTES = 1 << 20
_ROUTE_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_STREAMS = {collections.abc.AsyncIterator, collections.abc.AsyncIterable, collections.abc.AsyncGenerator}

In = TypeVar("In")
P = TypeVar("P")
R = TypeVar("R")
S = TypeVar("S")  # the app's services (product: ProductServices)


class Empty(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The input of a route that takes none (an empty body or `{}`)."""


# The auth level each principal type stands for (the annotation's second argument).
_AUTH_OF_PRINCIPAL: dict[Any, Auth] = {
    AnonymousPrincipal: "public",
    Principal: "public",
    SignedIn: "user",
    OrgPrincipal: "organization",
    AdminPrincipal: "admin",
}

# A handler returns an awaitable of its output, or (streaming) an async iterator of events.
Handler = Callable[[Request[Any, Any, Any]], Any]


class Register(Protocol[S]):
    """What `router.route(...)` returns: a decorator that takes only handlers whose request
    carries the router's services (a type checker refuses any other), and returns them as they are."""

    def __call__(self, handler: Callable[[Request[In, P, S]], R], /) -> Callable[[Request[In, P, S]], R]: ...


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
    authenticates: bool  # False: an AnonymousReq handler, whose caller is never looked up
    services_type: Any  # what the handler's request says `req.services` is (Any: whatever the app has)
    decoder: msgspec.json.Decoder = field(repr=False)
    idempotent: bool = False  # honours an Idempotency-Key header (foundation/rpc/idempotency.py)
    # API keys (`Authorization: Bearer bk_...`) may call it; a read-scope key only if read_only;
    # "personal": only personal access tokens (foundation/rpc/api_keys.py). Off by default:
    # account and session routes never take keys.
    api_keys: ApiKeys = False
    role: str | None = None  # the minimum role on the router's ladder, if it has one
    allowed_roles: frozenset[str] = frozenset()  # `role` and every role above it
    # False: an impersonation (an administrator acting as the user) is refused (403
    # `not_during_impersonation`): routes that mint a credential or an identity that would
    # outlive it (API keys, tokens, invitations, password) or hand the account's orgs over.
    impersonation: bool = True


class RouteDeclarationError(TypeError):
    pass


def _types(handler: Callable[..., Any], name: str) -> tuple[Any, Any, Auth, Any, Any, bool]:
    """(input type, principal type, auth level, services type, output or event type, streaming)
    from the handler's annotations."""
    hints = typing.get_type_hints(handler, include_extras=True)
    params = [p for p in hints if p != "return"]
    if len(params) != 1 or typing.get_origin(hints[params[0]]) is not Request:
        raise RouteDeclarationError(
            f"route {name}: the handler takes exactly one argument annotated Req, UserReq, OrgReq or AdminReq[Input]"
        )
    input_type, principal_type, services_type = typing.get_args(hints[params[0]])
    auth = _AUTH_OF_PRINCIPAL.get(principal_type)
    if auth is None:
        raise RouteDeclarationError(f"route {name}: annotate the argument with Req, UserReq, OrgReq or AdminReq")
    output = hints.get("return")
    if output is None:
        raise RouteDeclarationError(f"route {name}: annotate the handler's return type")
    if typing.get_origin(output) in _STREAMS:
        return input_type, principal_type, auth, services_type, typing.get_args(output)[0], True
    return input_type, principal_type, auth, services_type, output, False


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


class Router(Generic[S]):
    """One app's routes. Features declare with `@router.route(...)`; the app serves the router.

    `services` is the type of the app's services (`Router("product", services=ProductServices)`
    is a `Router[ProductServices]`): a handler whose request names other services is refused,
    by the type checker and again at registration. Without it, handlers take any (`Any`)."""

    def __init__(
        self, app_name: str, *, services: type[S] | None = None, roles: collections.abc.Sequence[str] = ()
    ) -> None:
        self.app_name = app_name
        self.services = services
        self.roles = tuple(roles)  # lowest first; empty: routes name no role
        self.routes: dict[str, RouteSpec] = {}
        self.aliases: dict[str, JsonRpcAlias] = {}  # JSON-RPC methods served by a route (aliases.py)

    def alias(self, name: str, alias: JsonRpcAlias) -> None:
        """Serve `name` at /jsonrpc through `alias.route` (foundation/rpc/aliases.py)."""
        if not ALIAS_NAME.match(name):
            raise RouteDeclarationError(f"alias {name!r}: use a lowercase name such as `create_tenant`")
        if name in self.aliases:
            raise RouteDeclarationError(f"alias {name} is declared twice in {self.app_name}")
        self.aliases[name] = alias

    def including(self, *others: Router[S] | Router[Any]) -> Router[S]:
        """A router serving this one's routes and the others' (an app that serves a
        development-only set beside its own); a name declared twice is an error, and so is a
        handler expecting other services than this router's."""
        combined = Router(self.app_name, services=self.services, roles=self.roles)
        for router in (self, *others):
            for name, spec in router.routes.items():
                if name in combined.routes:
                    raise RouteDeclarationError(f"route {name} is declared in two routers of {self.app_name}")
                if not self._serves(spec.services_type):
                    raise RouteDeclarationError(
                        f"route {name}: the handler's request carries {_name(spec.services_type)}, but"
                        f" {self.app_name} serves {_name(self.services)}"
                    )
                combined.routes[name] = spec
            for name, alias in router.aliases.items():
                if name in combined.aliases:
                    raise RouteDeclarationError(f"alias {name} is declared in two routers of {self.app_name}")
                combined.aliases[name] = alias
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
        idempotent: bool = False,
        api_keys: ApiKeys = False,
        role: str | None = None,
        impersonation: bool = True,
    ) -> Register[S]:
        if not _ROUTE_NAME.match(name):
            raise RouteDeclarationError(f"route name {name!r}: use dotted lowercase names such as `orgs.create`")
        if auth is not None and auth not in AUTH_LEVELS:
            raise RouteDeclarationError(f"route {name}: auth must be one of {AUTH_LEVELS}")
        if role is not None and role not in self.roles:
            raise RouteDeclarationError(
                f"route {name}: role={role!r} is not one of {self.app_name}'s roles {self.roles or '(none)'}"
            )

        def register(handler: Any) -> Any:
            if name in self.routes:
                raise RouteDeclarationError(f"route {name} is declared twice in {self.app_name}")
            input_type, principal_type, annotated_auth, services_type, output_type, streaming = _types(handler, name)
            if not self._serves(services_type):
                raise RouteDeclarationError(
                    f"route {name}: the handler's request carries {_name(services_type)}, but {self.app_name}"
                    f" serves {_name(self.services)} (use the app's own Req aliases)"
                )
            # `auth=` may only restate the annotation's level, or narrow a plain `Req` (whose
            # handler then sees the broad Principal type).
            authenticates = principal_type is not AnonymousPrincipal
            if auth is not None and auth != annotated_auth and not (annotated_auth == "public" and authenticates):
                raise RouteDeclarationError(
                    f"route {name}: auth={auth!r} disagrees with the handler's annotation ({annotated_auth})"
                )
            level: Auth = auth or annotated_auth
            if loose := _loose_structs(input_type):
                raise RouteDeclarationError(
                    f"route {name}: declare input Structs with forbid_unknown_fields=True ({', '.join(loose)})"
                )
            if api_keys and level == "admin":
                raise RouteDeclarationError(f"route {name}: administrator routes never take API keys")
            if idempotent and streaming:
                raise RouteDeclarationError(f"route {name}: a stream cannot be idempotent (it stores no answer)")
            if self.roles and level == "admin" and role is None:
                raise RouteDeclarationError(
                    f"route {name}: {self.app_name} routes declare their minimum role (role=one of {self.roles})"
                )
            if role is not None and level != "admin":
                raise RouteDeclarationError(f"route {name}: only administrators' routes have a minimum role")
            declared = (*errors, IdempotencyKeyReused) if idempotent else tuple(errors)
            if role is not None:
                declared = (*declared, InsufficientRole)
            if authenticates and not read_only and level != "admin":  # a read-only impersonation's refusal
                declared = (*declared, ReadOnlySession)
            if not impersonation:
                if level in ("public", "admin"):
                    raise RouteDeclarationError(f"route {name}: impersonation=False is for signed-in users' routes")
                declared = (*declared, NotDuringImpersonation)
            self.routes[name] = RouteSpec(
                name=name,
                handler=handler,
                auth=level,
                errors=tuple(dict.fromkeys(declared)),
                input_type=input_type,
                output_type=output_type,
                streaming=streaming,
                read_only=read_only,
                timeout=None if streaming else timeout,
                max_body=max_body,
                summary=(handler.__doc__ or "").strip(),
                deprecated=deprecated,
                authenticates=authenticates,
                services_type=services_type,
                decoder=msgspec.json.Decoder(input_type),
                idempotent=idempotent,
                api_keys=api_keys,
                role=role,
                allowed_roles=frozenset(self.roles[self.roles.index(role) :]) if role is not None else frozenset(),
                impersonation=impersonation,
            )
            return handler

        return register

    def _serves(self, services_type: Any) -> bool:
        """Whether a handler expecting `services_type` may be given this router's services."""
        if services_type is Any or self.services is None:
            return True
        return isinstance(services_type, type) and issubclass(self.services, services_type)


def _name(annotation: Any) -> str:
    return getattr(annotation, "__name__", repr(annotation))
