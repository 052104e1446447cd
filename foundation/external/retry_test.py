"""The shared retry policy's limits, with an injected sleep recording every delay."""

from __future__ import annotations

import pytest

from foundation.external.errors import ExternalRateLimited, ExternalRejected, ExternalUnavailable
from foundation.external.retry import RetryPolicy, logged_call, retry_after, retry_policy
from foundation.external.settings import load_external_settings
from foundation.testing.fakes.fixtures import Logs, Sleeps


def failing(*errors: Exception, result: str = "done"):
    remaining = list(errors)
    calls: list[int] = []

    async def attempt() -> str:
        calls.append(1)
        if remaining:
            raise remaining.pop(0)
        return result

    return attempt, calls


async def test_backoff_doubles_up_to_the_cap_with_full_jitter() -> None:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    draws = iter([1.0, 1.0, 1.0, 1.0, 0.5, 0.0])
    policy = RetryPolicy(max_attempts=7, base_delay=1.0, backoff_cap=5.0, sleep=sleep, random=lambda: next(draws))
    attempt, calls = failing(*[ExternalUnavailable("x", "HTTP 503") for _ in range(6)])
    assert await logged_call(policy, "x", "op", attempt) == "done"
    assert delays == [1.0, 2.0, 4.0, 5.0, 2.5, 0.0]  # 1, 2, 4, then capped at 5; jitter scales the bound
    assert len(calls) == 7


async def test_max_attempts_bounds_the_calls_and_the_last_error_is_raised(sleeps: Sleeps) -> None:
    attempt, calls = failing(*[ExternalUnavailable("x", f"try {n}") for n in range(10)])
    with pytest.raises(ExternalUnavailable, match="try 2"):
        await logged_call(sleeps.policy(max_attempts=3), "x", "op", attempt)
    assert len(calls) == 3
    assert len(sleeps.delays) == 2


async def test_retry_after_is_honoured_and_a_longer_one_than_the_cap_is_not_waited_for(sleeps: Sleeps) -> None:
    attempt, calls = failing(ExternalRateLimited("x", "slow down", retry_after=7.0))
    assert await logged_call(sleeps.policy(retry_after_cap=10), "x", "op", attempt) == "done"
    assert sleeps.delays == [7.0]
    attempt, calls = failing(ExternalRateLimited("x", "slow down", retry_after=120.0))
    with pytest.raises(ExternalRateLimited) as raised:
        await logged_call(sleeps.policy(retry_after_cap=10), "x", "op", attempt)
    assert raised.value.retry_after == 120.0  # for the caller to reschedule
    assert (len(calls), sleeps.delays) == (1, [7.0])


async def test_a_429_without_retry_after_backs_off(sleeps: Sleeps) -> None:
    attempt, _ = failing(ExternalRateLimited("x", "slow down"))
    await logged_call(sleeps.policy(base_delay=2.0), "x", "op", attempt)
    assert sleeps.delays == [pytest.approx(2 * 0.999)]


@pytest.mark.parametrize(
    "error",
    [ExternalRejected("x", "no", reason="invalid"), ExternalUnavailable("x", "timed out", retryable=False)],
)
async def test_rejections_and_timeouts_are_not_retried(sleeps: Sleeps, error: Exception) -> None:
    attempt, calls = failing(error)
    with pytest.raises(type(error)):
        await logged_call(sleeps.policy(), "x", "op", attempt)
    assert (len(calls), sleeps.delays) == (1, [])


async def test_each_call_logs_one_line_with_outcome_and_attempts(sleeps: Sleeps, logs: Logs) -> None:
    attempt, _ = failing(ExternalUnavailable("x", "503"), ExternalUnavailable("x", "503"))
    await logged_call(sleeps.policy(), "x", "op", attempt)
    attempt, _ = failing(ExternalRejected("x", "no", reason="channel_not_found"))
    with pytest.raises(ExternalRejected):
        await logged_call(sleeps.policy(), "x", "other", attempt)
    first, second = logs.calls()
    assert {k: first[k] for k in ("service", "operation", "outcome", "attempts", "level")} == {
        "service": "x",
        "operation": "op",
        "outcome": "ok",
        "attempts": 3,
        "level": "info",
    }
    assert first["duration_ms"] >= 0
    assert (second["outcome"], second["attempts"], second["reason"], second["level"]) == (
        "rejected",
        1,
        "channel_not_found",
        "warning",
    )


def test_retry_after_headers() -> None:
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"retry-after-ms": "250", "retry-after": "1"}) == 0.25
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None
    assert retry_after({}) is None
    assert retry_after(None) is None


def test_the_policy_from_settings() -> None:
    settings = load_external_settings({"EXTERNAL_BACKOFF_CAP_SECONDS": "2", "EXTERNAL_RETRY_AFTER_CAP_SECONDS": "5"})
    policy = retry_policy(settings, 2)
    assert (policy.max_attempts, policy.backoff_cap, policy.retry_after_cap) == (3, 2.0, 5.0)
