"""The logger facade: structured logs, JSON in production and readable in development.

Every log line carries the context bound with `bind_context` (the request id, for one). JSON is
rendered by msgspec and written as bytes: the access log runs on every request, so it is kept
cheap.
"""

from __future__ import annotations

import datetime as _dt
import logging as _stdlib_logging
import sys
from typing import Any, Literal

import msgspec
import structlog

_json = msgspec.json.Encoder(enc_hook=str)


def _render_json(logger: Any, name: str, event: dict[str, Any]) -> bytes:
    return _json.encode(event)


class _Stderr:
    """Whatever sys.stderr is at the time of writing. Loggers are cached on first use, so they
    must not capture the stream object itself (tests and servers swap it)."""

    def write(self, data: bytes | str) -> None:
        if isinstance(data, bytes):
            sys.stderr.buffer.write(data)
        else:
            sys.stderr.write(data)

    def flush(self) -> None:
        sys.stderr.flush()


_fast_json_info = False  # JSON output at INFO or below: the access log may take the fast path


def configure_logging(format: Literal["console", "json"], level: str = "INFO") -> None:
    """Configure once per process; safe to call again (the later call wins)."""
    global _fast_json_info
    _fast_json_info = format == "json" and _stdlib_logging.getLevelNamesMapping()[level] <= _stdlib_logging.INFO
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    if format == "json":
        processors = [*shared, _render_json]
        factory: Any = structlog.BytesLoggerFactory(_Stderr())  # pyright: ignore[reportArgumentType]
    else:
        processors = [*shared, structlog.dev.ConsoleRenderer(colors=False)]
        factory = structlog.PrintLoggerFactory(_Stderr())  # pyright: ignore[reportArgumentType]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(_stdlib_logging.getLevelNamesMapping()[level]),
        logger_factory=factory,
        cache_logger_on_first_use=True,
    )


def access_log(event: str, request_id: str, **fields: Any) -> None:
    """One INFO line per request. In JSON mode it skips structlog's processor chain (the same
    keys, rendered directly): this line is written for every request, so it has to be cheap."""
    if _fast_json_info:
        fields.update(
            event=event,
            request_id=request_id,
            level="info",
            # Log timestamps are wall-clock facts, not business time: no Clock here.
            timestamp=_dt.datetime.now(_dt.UTC).isoformat().replace("+00:00", "Z"),  # noqa: TID251
        )
        sys.stderr.buffer.write(_json.encode(fields) + b"\n")
        sys.stderr.buffer.flush()
    else:
        _access_logger.info(event, request_id=request_id, **fields)


def get_logger(name: str) -> Any:
    """A structured logger: `log.info("event_name", key=value)`."""
    return structlog.get_logger(name)


def bind_context(**values: Any) -> None:
    """Attach values (such as `request_id`) to every log line of the current task."""
    structlog.contextvars.bind_contextvars(**values)


def clear_context() -> None:
    structlog.contextvars.clear_contextvars()


_access_logger = get_logger("blossom.access")
