"""The retry policy every external client shares, and the one log line per call.

A call is retried on 429 and 5xx answers and connection errors (the facade raises
`ExternalRateLimited` or a retryable `ExternalUnavailable`), never on a rejection or a timeout.
Between attempts it sleeps: the server's Retry-After when it sent one (when that is longer than
`retry_after_cap`, waiting is pointless for a caller in a hurry, so the call fails at once with
`ExternalRateLimited` carrying it), else exponential backoff with full jitter, a uniform draw in
[0, min(backoff_cap, base_delay * 2**(attempt - 1))]. The SDKs' own retries are switched off so
this policy is the only one that runs. Sleep and randomness are injectable, so tests run fast
and see every delay.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from foundation.external.errors import ExternalError, ExternalRateLimited, ExternalRejected, ExternalUnavailable
from foundation.external.settings import ExternalSettings
from foundation.logging import get_logger

T = TypeVar("T")

log = get_logger("blossom.external")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # the first try included
    base_delay: float = 0.5
    backoff_cap: float = 8.0
    retry_after_cap: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    random: Callable[[], float] = field(default=random.random, repr=False)  # in [0, 1)

    def delay(self, failed_attempt: int, error: ExternalError) -> float | None:
        """Seconds to wait after `failed_attempt` (1 for the first) failed with `error`; None
        when the call should not be tried again."""
        if failed_attempt >= self.max_attempts:
            return None
        if isinstance(error, ExternalRateLimited):
            if error.retry_after is not None:
                return error.retry_after if error.retry_after <= self.retry_after_cap else None
        elif not (isinstance(error, ExternalUnavailable) and error.retryable):
            return None
        return self.random() * min(self.backoff_cap, self.base_delay * 2 ** (failed_attempt - 1))


def retry_policy(settings: ExternalSettings, max_retries: int, **overrides: Any) -> RetryPolicy:
    """The policy of a client allowed `max_retries` retries, with the shared caps from settings."""
    options: dict[str, Any] = {
        "max_attempts": max_retries + 1,
        "backoff_cap": settings.external_backoff_cap_seconds,
        "retry_after_cap": settings.external_retry_after_cap_seconds,
    }
    return RetryPolicy(**(options | overrides))


def outcome(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    if isinstance(error, ExternalRateLimited):
        return "rate_limited"
    if isinstance(error, ExternalRejected):
        return "rejected"
    if isinstance(error, ExternalUnavailable):
        return "unavailable"
    if isinstance(error, asyncio.CancelledError | GeneratorExit):
        return "cancelled"
    return "error"


class CallLog:
    """Times one external call and writes its one `external_call` line (service, operation,
    duration_ms, outcome, attempts). Never given a secret: nothing but these fields is logged."""

    def __init__(self, service: str, operation: str) -> None:
        self.service = service
        self.operation = operation
        self.attempts = 0
        self._started = time.perf_counter()
        self._written = False

    def write(self, error: BaseException | None = None, **extra: Any) -> None:
        if self._written:
            return
        self._written = True
        duration_ms = round((time.perf_counter() - self._started) * 1000, 2)
        fields = {"reason": error.reason} if isinstance(error, ExternalRejected) else {}
        line = log.info if error is None else log.warning
        line(
            "external_call",
            service=self.service,
            operation=self.operation,
            duration_ms=duration_ms,
            outcome=outcome(error),
            attempts=self.attempts,
            **fields,
            **extra,
        )


async def with_retries(policy: RetryPolicy, call: CallLog, attempt: Callable[[], Awaitable[T]]) -> T:
    """Run `attempt` until it succeeds or the policy gives up (then its last error is raised)."""
    while True:
        call.attempts += 1
        try:
            return await attempt()
        except ExternalError as error:
            wait = policy.delay(call.attempts, error)
            if wait is None:
                raise
        await policy.sleep(wait)


async def logged_call(policy: RetryPolicy, service: str, operation: str, attempt: Callable[[], Awaitable[T]]) -> T:
    """`with_retries`, and the call's log line when it ends (in success or failure)."""
    call = CallLog(service, operation)
    try:
        result = await with_retries(policy, call, attempt)
    except BaseException as error:
        call.write(error)
        raise
    call.write()
    return result


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from `retry-after-ms` (OpenAI) or `Retry-After` (in seconds; an HTTP date is
    ignored and the backoff applies)."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None
