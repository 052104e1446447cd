"""JSON-RPC method aliases: a method name another service's clients call (`create_tenant`), served
by one of the app's own routes through small adapters, so a client written for that service works
unchanged at `/jsonrpc` while the route stays the one implementation.

An alias call goes through exactly the steps of a call of its route (authentication, auth level,
API-key checks, the route's decoder, transaction, timeout), with three hooks around them:

    prepare(params, headers) -> (route params, headers)   before authentication: rename and
        reshape the params (raise ValidationFailed naming the client's field), and add headers
        the app's authentication reads (which organization a personal token acts in)
    admit(params, principal)   after authentication, before the route's auth level: refuse a
        caller the alias does not serve
        (a tenant id that is not the key's organization) with one of `errors`
    answer(result, params) -> result   the route's output (decoded JSON) as the client expects it

Aliases are declared on the router (`router.alias(name, alias)`), listed in the contract's
`jsonrpc.aliases`, and never served at `/rpc/` (that path is the route's own).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from foundation.errors import BlossomError
from foundation.rpc.principal import Principal

Headers = dict[bytes, bytes]
ALIAS_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _same_headers(params: dict[str, Any], headers: Headers) -> Headers:
    return headers


def _admit_all(params: dict[str, Any], principal: Principal) -> None:
    return None


def _unchanged(result: Any, params: dict[str, Any]) -> Any:
    return result


@dataclass(frozen=True)
class JsonRpcAlias:
    route: str  # the route that serves it
    params: Callable[[dict[str, Any]], dict[str, Any]]  # the client's params -> the route's input
    headers: Callable[[dict[str, Any], Headers], Headers] = _same_headers  # from the client's params
    # After authentication, before the auth level is checked: may raise one of `errors`.
    admit: Callable[[dict[str, Any], Principal], None] = _admit_all
    answer: Callable[[Any, dict[str, Any]], Any] = _unchanged  # (route's output, client's params) -> result
    errors: Sequence[type[BlossomError]] = field(default=())
    summary: str = ""


def client_params(raw: bytes) -> dict[str, Any]:
    """The client's params as a dict (an alias's adapters reshape them before the route decodes)."""
    # Imported here: validation pulls in the decoder machinery the rest of this module never needs.
    import msgspec

    from foundation.rpc.errors import FieldError, ValidationFailed

    try:
        value = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        raise ValidationFailed([FieldError("", "params must be a JSON object")]) from None
    if not isinstance(value, dict):
        raise ValidationFailed([FieldError("", "params must be a JSON object of named params")])
    return value
