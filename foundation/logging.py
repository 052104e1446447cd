"""The logger facade: structured logs, JSON in production and readable in development.

Every log line carries the context bound with `bind_context` (the request id, for one).
"""

from __future__ import annotations

import logging as _stdlib_logging
import sys
from typing import Any, Literal

import structlog

_configured = False


def configure_logging(format: Literal["console", "json"], level: str = "INFO") -> None:
    """Configure once per process; safe to call again (the later call wins)."""
    global _configured
    renderer: Any = (
        structlog.processors.JSONRenderer() if format == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_stdlib_logging.getLevelNamesMapping()[level]),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    _configured = True


def get_logger(name: str) -> Any:
    """A structured logger: `log.info("event_name", key=value)`."""
    return structlog.get_logger(name)


def bind_context(**values: Any) -> None:
    """Attach values (such as `request_id`) to every log line of the current task."""
    structlog.contextvars.bind_contextvars(**values)


def clear_context() -> None:
    structlog.contextvars.clear_contextvars()
