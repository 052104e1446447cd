"""The Slack facade on the real AsyncWebClient against the local fake over loopback HTTP."""

from __future__ import annotations

import time

import pytest

from foundation.errors import ConfigurationError
from foundation.external.errors import ExternalRateLimited, ExternalRejected, ExternalUnavailable
from foundation.external.settings import load_external_settings
from foundation.external.slack import Divider, PostedMessage, SlackClient, context, header, section
from foundation.testing.fakes import FakeSlack
from foundation.testing.fakes.fixtures import Logs, Sleeps


def client(fake: FakeSlack, sleeps: Sleeps | None = None, **env: str) -> SlackClient:
    return SlackClient(load_external_settings(fake.settings() | env), retry=sleeps.policy() if sleeps else None)


async def test_a_message_with_blocks_is_posted_with_the_bot_token(fake_slack: FakeSlack) -> None:
    blocks = [header("Yesterday"), section("*12* sign-ups"), Divider(), context("from Blossom")]
    posted = await client(fake_slack).post_message("C123", "12 sign-ups yesterday", blocks=blocks)
    assert posted == PostedMessage(channel="C123", ts="1700000000.000001")
    (request,) = fake_slack.requests
    assert request.path == "/api/chat.postMessage"
    assert request.headers["authorization"] == f"Bearer {fake_slack.token}"
    body = request.json()
    assert body["text"] == "12 sign-ups yesterday"
    assert body["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": "Yesterday", "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*12* sign-ups"}},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "from Blossom"}]},
    ]


async def test_a_reply_goes_into_the_thread(fake_slack: FakeSlack) -> None:
    slack = client(fake_slack)
    first = await slack.post_message("C123", "digest")
    await slack.post_message("C123", "details", thread_ts=first.ts)
    assert fake_slack.posted[1]["thread_ts"] == first.ts


async def test_ok_false_is_rejected_with_slacks_error_code(fake_slack: FakeSlack, sleeps: Sleeps) -> None:
    fake_slack.error_next("channel_not_found")
    with pytest.raises(ExternalRejected) as raised:
        await client(fake_slack, sleeps).post_message("C404", "hello")
    assert raised.value.reason == "channel_not_found"
    assert sleeps.delays == []
    with pytest.raises(ExternalRejected) as raised:
        await client(fake_slack, sleeps, SLACK_BOT_TOKEN="xoxb-wrong").post_message("C1", "hello")
    assert raised.value.reason == "invalid_auth"
    assert "xoxb-wrong" not in str(raised.value)


async def test_ratelimited_is_retried_after_retry_after(fake_slack: FakeSlack, sleeps: Sleeps) -> None:
    fake_slack.ratelimit_next(3, times=2)
    await client(fake_slack, sleeps).post_message("C123", "hello")
    assert sleeps.delays == [3.0, 3.0]
    assert len(fake_slack.requests) == 3  # the SDK's retry handlers are off: ours made 3 attempts
    assert len(fake_slack.posted) == 1


async def test_a_ratelimited_storm_ends_in_rate_limited(fake_slack: FakeSlack, sleeps: Sleeps) -> None:
    fake_slack.ratelimit_next(1, times=10)
    with pytest.raises(ExternalRateLimited) as raised:
        await client(fake_slack, sleeps).post_message("C123", "hello")
    assert raised.value.retry_after == 1.0
    assert len(fake_slack.requests) == 4


async def test_5xx_backs_off_then_is_unavailable(fake_slack: FakeSlack, sleeps: Sleeps) -> None:
    fake_slack.fail_next(503, times=10)
    with pytest.raises(ExternalUnavailable, match="HTTP 503"):
        await client(fake_slack, sleeps).post_message("C123", "hello")
    assert sleeps.delays == pytest.approx([0.4995, 0.999, 1.998])


async def test_a_stall_is_unavailable_within_the_timeout(fake_slack: FakeSlack, sleeps: Sleeps) -> None:
    fake_slack.stall_next(30)
    started = time.perf_counter()
    with pytest.raises(ExternalUnavailable, match=r"no answer within 0\.3 s"):
        await client(fake_slack, sleeps, SLACK_TIMEOUT_SECONDS="0.3").post_message("C123", "hello")
    assert time.perf_counter() - started < 10
    assert sleeps.delays == []


async def test_a_missing_token_fails_at_first_use() -> None:
    slack = SlackClient(load_external_settings({}))
    with pytest.raises(ConfigurationError, match=r"^SLACK_BOT_TOKEN is not set"):
        await slack.post_message("C1", "hello")


async def test_one_log_line_per_call_and_never_the_token(fake_slack: FakeSlack, sleeps: Sleeps, logs: Logs) -> None:
    slack = client(fake_slack, sleeps)
    fake_slack.ratelimit_next(1)
    await slack.post_message("C123", "hello")
    fake_slack.error_next("not_in_channel")
    with pytest.raises(ExternalRejected):
        await slack.post_message("C123", "hello")
    calls = logs.calls()
    assert [(c["service"], c["operation"], c["outcome"], c["attempts"]) for c in calls] == [
        ("slack", "chat.postMessage", "ok", 2),
        ("slack", "chat.postMessage", "rejected", 1),
    ]
    assert calls[1]["reason"] == "not_in_channel"
    assert fake_slack.token not in logs.read()


async def test_a_proxys_error_page_is_unavailable(fake_slack: FakeSlack, sleeps: Sleeps) -> None:
    fake_slack.fail_next(502, b"<html>502 Bad Gateway</html>", times=10)
    with pytest.raises(ExternalUnavailable, match="HTTP 502"):
        await client(fake_slack, sleeps).post_message("C123", "hello")
    assert len(sleeps.delays) == 3
