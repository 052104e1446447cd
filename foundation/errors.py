"""The error hierarchy. Every error a user can see is a `BlossomError` with a stable code and HTTP status.

One class per code: the RPC layer maps each class to its status and to one wire envelope,
`{"error": {"code": ..., "message": ..., ...fields}}`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec


class BlossomError(Exception):
    code: ClassVar[str] = "internal"
    status: ClassVar[int] = 500

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # An error may describe its extra fields with a nested `Fields` Struct. Name it after the
        # error (`SeatsExhaustedFields`), so generated clients and schemas get unique names.
        fields = cls.__dict__.get("Fields")
        if isinstance(fields, type):
            fields.__name__ = fields.__qualname__ = f"{cls.__name__}Fields"

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def envelope(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.fields}}


class InvalidInput(BlossomError):
    code = "invalid_input"
    status = 400


class Unauthenticated(BlossomError):
    code = "unauthenticated"
    status = 401


class Forbidden(BlossomError):
    code = "forbidden"
    status = 403


class NotFound(BlossomError):
    code = "not_found"
    status = 404


class Conflict(BlossomError):
    code = "conflict"
    status = 409


class PayloadTooLarge(BlossomError):
    code = "payload_too_large"
    status = 413

    class Fields(msgspec.Struct, frozen=True):
        limit: int


class UnsupportedMediaType(BlossomError):
    code = "unsupported_media_type"
    status = 415


class RateLimited(BlossomError):
    code = "rate_limited"
    status = 429

    class Fields(msgspec.Struct, frozen=True):
        retry_after_seconds: int

    def __init__(self, message: str, *, retry_after_seconds: int, **fields: Any) -> None:
        super().__init__(message, retry_after_seconds=retry_after_seconds, **fields)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(BlossomError):
    """A dependency (the database) is out of reach for now: try again in `retry_after_seconds`
    (also sent as the Retry-After header)."""

    code = "unavailable"
    status = 503

    class Fields(msgspec.Struct, frozen=True):
        retry_after_seconds: int

    def __init__(self, message: str, *, retry_after_seconds: int, **fields: Any) -> None:
        super().__init__(message, retry_after_seconds=retry_after_seconds, **fields)
        self.retry_after_seconds = retry_after_seconds


class ConfigurationError(Exception):
    """The process cannot start as configured. Its message is meant to be the one line a person reads."""
