"""Mail goes through the transactional outbox to a real SMTP server: written in the request's
transaction, delivered after the commit, retried with backoff, never sent for a rolled-back request."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from database.outbox import RetryPolicy
from database.testing.fixture import T
from foundation.mail import SmtpMailer
from foundation.settings import load_settings
from foundation.testing.smtp import SmtpServer, smtp_server
from product.accounts import routes as account_routes
from product.testing import PASSWORD, ProductHarness, product_harness

POLICY = RetryPolicy(max_attempts=4, base_seconds=30, cap_seconds=3600)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
async def product(t: T, smtp: SmtpServer) -> AsyncIterator[ProductHarness]:
    """The app, mailing through the SMTP server (the worker runs when the test says)."""
    mailer = SmtpMailer(load_settings(smtp.settings()))
    async with product_harness(t, mailer=mailer, retry_policy=POLICY) as harness:
        yield harness


async def _outbox(product: ProductHarness) -> list[dict]:
    rows = await product.t.db.owner.fetch(
        "SELECT kind, payload, status::text AS status, attempts, available_at, last_error, delivered_at"
        " FROM outbox ORDER BY created_at, id"
    )
    return [dict(r) for r in rows]


async def _sign_up(product: ProductHarness, email: str) -> None:
    response = await product.http.post(
        "/rpc/auth.signup", json={"email": email, "password": PASSWORD, "display_name": "Someone"}
    )
    assert response.status_code == 200, response.text


async def test_signup_mail_is_written_with_the_request_then_delivered_by_smtp_after_commit(
    product: ProductHarness, smtp: SmtpServer
) -> None:
    await _sign_up(product, "ann@example.com")
    [row] = await _outbox(product)  # committed with the user, not yet sent
    assert (row["kind"], row["status"], row["attempts"]) == ("mail", "pending", 0)
    assert smtp.messages == []

    assert await product.deliver() == 1
    [message] = smtp.messages
    assert (message["To"], message["Subject"]) == ("ann@example.com", "Confirm your email")
    code = re.search(r"code: (\S+)", message.get_content())
    assert code is not None
    [row] = await _outbox(product)
    assert (row["status"], row["attempts"], row["delivered_at"]) == ("delivered", 1, product.t.clock.now())
    assert "body" not in row["payload"]  # the one-time code does not outlive its delivery
    assert code.group(1) not in str(row["payload"])

    await product.sign_up_and_in(product.http, "ann@example.com")
    verify = await product.http.post("/rpc/auth.email.verify", json={"token": code.group(1)})
    assert verify.status_code == 200
    assert await product.deliver() == 1  # the "someone tried to sign up" mail of the second sign-up
    assert await product.deliver() == 0  # nothing is delivered twice


async def test_a_failing_mail_server_is_retried_with_backoff_then_given_up(
    product: ProductHarness, smtp: SmtpServer
) -> None:
    smtp.refusing = True
    await _sign_up(product, "bo@example.com")
    start = product.t.clock.now()
    assert await product.deliver() == 1
    [row] = await _outbox(product)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "451" in row["last_error"]
    assert row["available_at"] == start + dt.timedelta(seconds=30)  # base delay (the harness: no jitter)

    assert await product.deliver() == 0  # not due yet: no busy retrying
    for attempt, delay in ((2, 60), (3, 120)):
        product.t.clock.advance(seconds=POLICY.cap_seconds)
        assert await product.deliver() == 1
        [row] = await _outbox(product)
        assert (row["status"], row["attempts"]) == ("pending", attempt)
        assert row["available_at"] == product.t.clock.now() + dt.timedelta(seconds=delay)

    product.t.clock.advance(seconds=POLICY.cap_seconds)
    assert await product.deliver() == 1  # the last attempt
    [row] = await _outbox(product)
    assert (row["status"], row["attempts"]) == ("failed", POLICY.max_attempts)
    assert "451" in row["last_error"]
    assert "body" not in row["payload"]
    product.t.clock.advance(days=1)
    assert await product.deliver() == 0
    assert smtp.messages == []


async def test_a_mail_server_back_after_a_failure_gets_the_message_once(
    product: ProductHarness, smtp: SmtpServer
) -> None:
    smtp.refusing = True
    await _sign_up(product, "cy@example.com")
    await product.deliver()
    smtp.refusing = False
    product.t.clock.advance(seconds=30)
    assert await product.deliver() == 1
    assert [m["To"] for m in smtp.messages] == ["cy@example.com"]
    [row] = await _outbox(product)
    assert (row["status"], row["attempts"]) == ("delivered", 2)


async def test_a_request_that_fails_after_queueing_mail_sends_nothing(
    product: ProductHarness, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_send_mail = account_routes.send_mail

    async def send_then_fail(*args: object, **kwargs: object) -> None:
        await real_send_mail(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("the handler fails after queueing its mail")

    monkeypatch.setattr(account_routes, "send_mail", send_then_fail)
    with pytest.raises(RuntimeError, match="after queueing"):  # test mode re-raises after the 500
        await product.http.post(
            "/rpc/auth.signup", json={"email": "di@example.com", "password": PASSWORD, "display_name": "Di"}
        )
    assert await _outbox(product) == []
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM users") == 0
    product.t.clock.advance(hours=1)
    assert await product.deliver() == 0
    assert smtp.messages == []


async def _true(value: bool) -> bool:
    return value


async def _status_is(product: ProductHarness, status: str) -> bool:
    return (await _outbox(product))[0]["status"] == status


async def _within(seconds: float, condition: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(int(seconds * 100)):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"not within {seconds} s")


async def test_the_worker_in_the_app_wakes_after_the_commit(t: T, smtp: SmtpServer) -> None:
    """As in production: the worker runs while the app serves. It polls only hourly here, so
    the delivery within seconds can only come from the wake-up after the request's commit."""
    mailer = SmtpMailer(load_settings(smtp.settings()))
    async with product_harness(t, mailer=mailer, deliver_in_background=True, poll_seconds=3600) as product:
        await asyncio.sleep(0.05)  # the worker's first pass (nothing to do) is over: it now waits
        await _sign_up(product, "ed@example.com")
        await _within(10, lambda: _true(bool(smtp.messages)))
        assert smtp.messages[0]["To"] == "ed@example.com"
        await _within(5, lambda: _status_is(product, "delivered"))
    # the app stopped serving: the worker stopped with it, before the pool closed
    assert product.outbox._task is None
