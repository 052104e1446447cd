"""What the generators read: an app's routes with their types resolved, errors included."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import msgspec

from foundation.errors import BlossomError
from foundation.rpc.dispatch import COMMON_ERRORS
from foundation.rpc.errors import error_fields
from foundation.rpc.routes import Router, RouteSpec

# app name -> "module:attribute" of its router (the module imports every feature's routes)
APPS = {
    "product": "product.routes:router",
    "panopticon": "panopticon.routes:router",
    "demo": "product.demo.routes:router",  # served by product outside production only
}
# Where an app's contract.json and openapi.json live, when not in a folder named after it.
_FOLDERS = {"demo": "product/demo"}


def app_folder(app: str) -> str:
    return _FOLDERS.get(app, app)


class ContractError(Exception):
    """The routes cannot be turned into a client (for example two types share one name)."""


@dataclass(frozen=True)
class ErrorShape:
    code: str
    status: int
    fields: type[msgspec.Struct] | None
    common: bool


@dataclass(frozen=True)
class AppRoutes:
    app: str
    routes: list[RouteSpec]
    aliases: dict[str, str] = field(default_factory=dict)  # JSON-RPC alias -> its route
    roles: tuple[str, ...] = ()  # the router's role ladder, lowest first (panopticon)

    def errors_of(self, route: RouteSpec) -> list[ErrorShape]:
        shapes: dict[str, ErrorShape] = {}
        for error, common in [*((e, False) for e in route.errors), *((e, True) for e in COMMON_ERRORS)]:
            shapes.setdefault(error.code, ErrorShape(error.code, error.status, error_fields(error), common))
        shapes.setdefault("internal", ErrorShape("internal", 500, None, True))
        return list(shapes.values())


def load(app: str) -> AppRoutes:
    module_name, _, attribute = APPS[app].partition(":")
    router: Router = getattr(importlib.import_module(module_name), attribute)
    return AppRoutes(
        app=app,
        routes=sorted(router.routes.values(), key=lambda r: r.name),
        aliases={name: alias.route for name, alias in sorted(router.aliases.items())},
        roles=router.roles,
    )


def all_error_classes(routes: AppRoutes) -> list[type[BlossomError]]:
    seen: list[type[BlossomError]] = []
    for route in routes.routes:
        for error in (*route.errors, *COMMON_ERRORS):
            if error not in seen:
                seen.append(error)
    return seen


def named_types(routes: AppRoutes) -> list[Any]:
    """Every input, output and error-field type, for schema generation."""
    types: list[Any] = []
    for route in routes.routes:
        types += [route.input_type, route.output_type]
    for shape in {s.code: s for r in routes.routes for s in routes.errors_of(r)}.values():
        if shape.fields is not None:
            types.append(shape.fields)
    return types
