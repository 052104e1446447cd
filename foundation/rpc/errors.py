"""Errors the RPC layer itself raises, and the declared-error machinery.

A route's declared errors are `BlossomError` subclasses; a subclass may describe its extra
fields with a nested `Fields` Struct so the TypeScript client can type them.
"""

from __future__ import annotations

from typing import Any

import msgspec

from foundation.errors import BlossomError, Forbidden, InvalidInput


class FieldError(msgspec.Struct, frozen=True):
    path: str  # `members[2].email`; empty for the body as a whole
    message: str


class ValidationFailed(InvalidInput):
    """400: the body did not match the route's input type. Lists the bad fields (at most 100;
    `omitted` counts the others found)."""

    code = "invalid_input"

    class Fields(msgspec.Struct, frozen=True):
        fields: list[FieldError]
        omitted: int = 0

    def __init__(self, errors: list[FieldError], *, omitted: int = 0, message: str | None = None) -> None:
        summary = "; ".join(f"{e.path or 'body'}: {e.message}" for e in errors[:5])
        super().__init__(
            message or f"invalid input: {summary}",
            fields=[{"path": e.path, "message": e.message} for e in errors],
            **({"omitted": omitted} if omitted else {}),
        )
        self.errors = errors


class MethodNotAllowed(BlossomError):
    code = "method_not_allowed"
    status = 405


class RouteNotFound(BlossomError):
    code = "no_such_route"
    status = 404


class Timeout(BlossomError):
    code = "timeout"
    status = 504


class InsufficientRole(BlossomError):
    """403: the caller is signed in, but their role is below the route's minimum (declared on
    every route that names one: `@router.route(..., role="owner")`)."""

    code = "insufficient_role"
    status = 403

    class Fields(msgspec.Struct, frozen=True):
        required_role: str  # the route's minimum


class ReadOnlySession(Forbidden):
    """403: this session is a read-only impersonation (an administrator acting as the user):
    only read routes (`read_only=True`) answer it. Declared on every route that looks its caller
    up and is not a read route; a write the handler attempts anyway is refused by PostgreSQL (the
    transaction is READ ONLY) and answered the same."""

    code = "read_only_session"
    status = 403


class NotDuringImpersonation(Forbidden):
    """403: an administrator acting as the user cannot call this route (`impersonation=False`):
    it would leave a credential or identity that outlives the impersonation."""

    code = "not_during_impersonation"
    status = 403


# PostgreSQL's `read_only_sql_transaction`: a write inside a READ ONLY transaction.
READ_ONLY_SQLSTATE = "25006"


class UndeclaredError(RuntimeError):
    """A handler raised a BlossomError its route does not declare: a contract bug, reported as 500."""


def error_fields(error_class: type[BlossomError]) -> type[msgspec.Struct] | None:
    fields: Any = getattr(error_class, "Fields", None)
    return fields if isinstance(fields, type) and issubclass(fields, msgspec.Struct) else None
