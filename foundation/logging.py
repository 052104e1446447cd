"""The logger facade: structured logs, JSON in production and readable in development.

Every log line carries the request's id (`start_request`) and the context bound with
`bind_context`. JSON is rendered by msgspec and written as bytes: the access log runs on every
request, so it is kept cheap. Inside a running event loop, the lines of one loop iteration are
written together at its end (`flush_logs` writes them at once).
"""

from __future__ import annotations

import asyncio
import atexit
import logging as _stdlib_logging
import sys
import threading
import time
from contextvars import ContextVar
from typing import Any, Literal

import msgspec
import structlog

_json = msgspec.json.Encoder(enc_hook=str)


def _render_json(logger: Any, name: str, event: dict[str, Any]) -> bytes:
    return _json.encode(event)


class _LineSink:
    """Log lines, written to whatever sys.stderr is at the time of writing (tests and servers swap
    it; loggers are cached, so they must not capture the stream itself).

    In a running event loop, lines are gathered and written once at the end of the loop iteration:
    a server writes at least one line per request, and one write per iteration instead of one per
    line is a measurable share of a cheap request. Outside a loop (threads, scripts) a line is
    written at once. Pending lines are written at exit too; only a hard kill loses them."""

    def __init__(self) -> None:
        self._pending: list[bytes] = []
        self._lock = threading.Lock()  # worker threads log too (password hashing)
        # The loop whose end-of-iteration flush is scheduled. Per loop, not a flag: a loop that
        # stops before running its flush must not leave every later loop without one.
        self._flush_loop: asyncio.AbstractEventLoop | None = None
        self._exit_hook = False

    def write(self, data: bytes | str) -> None:
        line = data.encode() if isinstance(data, str) else data
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            with self._lock:  # keep the order: anything gathered first, then this line
                self._pending.append(line)
                self._write_pending()
            return
        with self._lock:
            self._pending.append(line)
            if not self._exit_hook:  # installed on first use, not at import
                atexit.register(self.flush)
                self._exit_hook = True
        if self._flush_loop is not loop:
            self._flush_loop = loop
            loop.call_soon(self._flush_scheduled, loop)

    def _flush_scheduled(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._flush_loop is loop:
            self._flush_loop = None
        self.flush()

    def flush(self) -> None:
        """Write what is pending. (structlog calls this after every line: that is the deferral's
        point, so only the scheduled call and `flush_logs` do the work.)"""
        with self._lock:
            self._write_pending()

    def _write_pending(self) -> None:
        if self._pending:
            lines, self._pending = self._pending, []
            _write_to_stderr(b"".join(lines))


def _write_to_stderr(data: bytes) -> None:
    sys.stderr.buffer.write(data)
    sys.stderr.flush()


class _DeferredFlush:
    """What structlog's loggers write to: the sink, with structlog's per-line flush left out."""

    def write(self, data: bytes | str) -> None:
        _sink.write(data)

    def flush(self) -> None:
        pass


_sink = _LineSink()


def flush_logs() -> None:
    """Write pending log lines now (tests that read stderr right after a request)."""
    _sink.flush()


_fast_json_info = False  # JSON output at INFO or below: the access log may take the fast path


def configure_logging(format: Literal["console", "json"], level: str = "INFO") -> None:
    """Configure once per process; safe to call again (the later call wins)."""
    global _fast_json_info
    _fast_json_info = format == "json" and _stdlib_logging.getLevelNamesMapping()[level] <= _stdlib_logging.INFO
    shared: list[Any] = [
        _add_request_id,
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    if format == "json":
        processors = [*shared, _render_json]
        factory: Any = structlog.BytesLoggerFactory(_DeferredFlush())  # pyright: ignore[reportArgumentType]
    else:
        processors = [*shared, structlog.dev.ConsoleRenderer(colors=False)]
        factory = structlog.PrintLoggerFactory(_DeferredFlush())  # pyright: ignore[reportArgumentType]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(_stdlib_logging.getLevelNamesMapping()[level]),
        logger_factory=factory,
        cache_logger_on_first_use=True,
    )


class _AccessLine(msgspec.Struct):
    """An RPC access line, keys in structlog's order for the same call. A Struct: built and
    encoded in C, where a dict of keyword arguments cost three times as much."""

    route: str
    status: int
    latency_ms: float
    event: str
    request_id: str
    level: str
    timestamp: str


def access_log(request_id: str, *, route: str, status: int, latency_ms: float) -> None:
    """The one INFO line per RPC request (event `rpc`). In JSON mode it skips structlog's
    processor chain (the same keys, rendered directly): it runs on every request."""
    if _fast_json_info and not _context_bound.get():
        line = _AccessLine(route, status, latency_ms, "rpc", request_id, "info", _utc_timestamp())
        _sink.write(_json.encode(line) + b"\n")
    else:
        _access_logger.info("rpc", request_id=request_id, route=route, status=status, latency_ms=latency_ms)


_second_prefix: tuple[int, str] = (-1, "")


def _utc_timestamp() -> str:
    """`2026-11-22T01:02:03.456789Z`, as structlog's TimeStamper writes it. The date and time up
    to the second are formatted once per second. (Log timestamps are wall-clock facts, not
    business time: no Clock here.)"""
    global _second_prefix
    now = time.time()  # noqa: TID251 (log timestamps are wall-clock facts)
    second = int(now)
    if _second_prefix[0] != second:
        _second_prefix = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{_second_prefix[1]}.{int((now - second) * 1_000_000):06d}Z"


_request_id: ContextVar[str | None] = ContextVar("blossom_request_id", default=None)


def start_request(request_id: str) -> None:
    """The request id every log line of the current request carries. One context variable set
    per request; context a previous request bound in this task (tests call apps in one task)
    is dropped."""
    _request_id.set(request_id)
    if _context_bound.get():
        clear_context()


def current_request_id() -> str | None:
    """The current request's id (None outside a request): for a hook the dispatcher calls
    without the request, such as panopticon's audit row for a refused call."""
    return _request_id.get()


def _add_request_id(logger: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
    request_id = _request_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def get_logger(name: str) -> Any:
    """A structured logger: `log.info("event_name", key=value)`."""
    return structlog.get_logger(name)


# Whether this task bound context: the access log's fast path (which renders a fixed set of
# keys) is taken only when there is none to carry.
_context_bound: ContextVar[bool] = ContextVar("blossom_context_bound", default=False)


def bind_context(**values: Any) -> None:
    """Attach values (`user_id=…`) to every later log line of the current request, its access
    line included."""
    _context_bound.set(True)
    structlog.contextvars.bind_contextvars(**values)


def clear_context() -> None:
    _context_bound.set(False)
    structlog.contextvars.clear_contextvars()


_access_logger = get_logger("blossom.access")
