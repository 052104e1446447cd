"""The committed contract: every route, its types and its errors, as reviewable JSON."""

from __future__ import annotations

from typing import Any

import msgspec

from foundation.rpc import jsonrpc
from tools.codegen_rpc.model import AppRoutes, ContractError, named_types

REF_TEMPLATE = "#/components/schemas/{name}"


def schemas(routes: AppRoutes) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """JSON Schemas of every named type (by name) and the reference to each input in order."""
    types = named_types(routes)
    _check_unique_names(types)
    refs, components = msgspec.json.schema_components(types, ref_template=REF_TEMPLATE)
    return list(refs), dict(sorted(components.items()))


def _check_unique_names(types: list[Any]) -> None:
    by_name: dict[str, type] = {}

    def visit(t: Any) -> None:
        info = msgspec.inspect.multi_type_info([t])[0]
        _walk(info, by_name)

    for t in types:
        visit(t)


def _walk(info: Any, by_name: dict[str, type]) -> None:
    cls = getattr(info, "cls", None)
    if isinstance(info, msgspec.inspect.StructType | msgspec.inspect.EnumType) and cls is not None:
        existing = by_name.get(cls.__name__)
        if existing is cls:
            return  # seen (or being walked: a recursive type)
        if existing is not None:
            raise ContractError(
                f"two types are named {cls.__name__}: {existing.__module__}.{existing.__qualname__} and "
                f"{cls.__module__}.{cls.__qualname__}; rename one (the client needs unique names)"
            )
        by_name[cls.__name__] = cls
        if isinstance(info, msgspec.inspect.StructType):
            for field in info.fields:
                _walk(field.type, by_name)
        return
    for child in ("item_type", "key_type", "value_type", "type"):
        if hasattr(info, child):
            _walk(getattr(info, child), by_name)
    for group in ("types", "item_types"):
        for child in getattr(info, group, ()) or ():
            _walk(child, by_name)


def build_contract(routes: AppRoutes) -> dict[str, Any]:
    refs, components = schemas(routes)
    entries = []
    for index, route in enumerate(routes.routes):
        entry: dict[str, Any] = {
            "name": route.name,
            "path": f"/rpc/{route.name}",
            "auth": route.auth,
            "methods": ["POST", "GET"] if route.read_only else ["POST"],
            "streaming": route.streaming,
            "summary": route.summary,
            "input": refs[2 * index],
            "output": refs[2 * index + 1],
            "errors": [
                {
                    "code": e.code,
                    "status": e.status,
                    "common": e.common,
                    "fields": e.fields.__name__ if e.fields is not None else None,
                }
                for e in routes.errors_of(route)
            ],
        }
        if route.deprecated:  # only where true: a contract without deprecated routes reads as before
            entry["deprecated"] = True
        if route.api_keys:  # which API keys may call it: true (any) or "personal"; absent: none
            entry["api_keys"] = route.api_keys
        if route.role is not None:  # the minimum role, on routers with a role ladder (panopticon)
            entry["role"] = route.role
        entries.append(entry)
    contract: dict[str, Any] = {"app": routes.app}
    if routes.roles:  # only where the router has a ladder: other contracts read as before
        contract["roles"] = list(routes.roles)
    return {**contract, "routes": entries, "jsonrpc": jsonrpc_entry(routes), "schemas": components}


def jsonrpc_entry(routes: AppRoutes) -> dict[str, Any]:
    """`POST /jsonrpc`: its methods (every route that does not stream: the method is the route,
    its params the route's input) and the fixed error codes a client switches over."""
    entry: dict[str, Any] = {
        "path": jsonrpc.PATH,
        "max_batch": jsonrpc.MAX_BATCH,
        "methods": [route.name for route in routes.routes if not route.streaming],
        "codes": {
            "parse_error": jsonrpc.PARSE_ERROR,
            "invalid_request": jsonrpc.INVALID_REQUEST,
            "method_not_found": jsonrpc.METHOD_NOT_FOUND,
            "invalid_params": jsonrpc.INVALID_PARAMS,
            "internal_error": jsonrpc.INTERNAL_ERROR,
            "application_error": jsonrpc.APPLICATION_ERROR,
            "by_status": {str(status): code for status, code in sorted(jsonrpc.CODE_OF_STATUS.items())},
        },
    }
    if routes.aliases:  # methods other services' clients call, each served by a route
        entry["aliases"] = routes.aliases
    return entry
