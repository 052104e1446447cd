"""The Slack facade on slack_sdk's AsyncWebClient: post a message (text and typed blocks) to a
channel or as a reply in a thread.

`ok: false` answers are `ExternalRejected` with Slack's error code as `reason`; 429 / `ratelimited`
is retried after its Retry-After, then `ExternalRateLimited`. The SDK's retry handlers are off
(`retry_handlers=[]`): `foundation.external.retry` is the one policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import aiohttp
import msgspec
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from foundation.external.errors import ExternalError, ExternalRateLimited, ExternalRejected, ExternalUnavailable
from foundation.external.retry import RetryPolicy, logged_call, retry_after, retry_policy
from foundation.external.settings import ExternalSettings

SERVICE = "slack"


class Markdown(msgspec.Struct, frozen=True, tag="mrkdwn", tag_field="type"):
    """Slack's mrkdwn text (`*bold*`, `<https://…|links>`)."""

    text: str


class PlainText(msgspec.Struct, frozen=True, tag="plain_text", tag_field="type"):
    text: str
    emoji: bool = True


class Section(msgspec.Struct, frozen=True, tag="section", tag_field="type", omit_defaults=True):
    text: Markdown | PlainText
    fields: Sequence[Markdown | PlainText] = ()


class Header(msgspec.Struct, frozen=True, tag="header", tag_field="type"):
    text: PlainText


class Divider(msgspec.Struct, frozen=True, tag="divider", tag_field="type"):
    pass


class Context(msgspec.Struct, frozen=True, tag="context", tag_field="type"):
    elements: Sequence[Markdown | PlainText]


Block = Section | Header | Divider | Context


def section(markdown: str) -> Section:
    return Section(Markdown(markdown))


def header(text: str) -> Header:
    return Header(PlainText(text))


def context(*markdown: str) -> Context:
    return Context(tuple(Markdown(m) for m in markdown))


class PostedMessage(msgspec.Struct, frozen=True):
    channel: str  # the channel's id, as Slack answers it
    ts: str  # the message's timestamp: its id, and the thread_ts of replies to it


class SlackClient:
    """Built from settings; a missing SLACK_BOT_TOKEN raises `ConfigurationError` at the first call."""

    def __init__(self, settings: ExternalSettings, *, retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.retry = retry or retry_policy(settings, settings.slack_max_retries)
        self._sdk: AsyncWebClient | None = None

    def _client(self) -> AsyncWebClient:
        if self._sdk is None:
            self._sdk = AsyncWebClient(
                token=self.settings.require_slack_token(),
                base_url=self.settings.slack_base_url,
                # aiohttp takes fractional seconds; the SDK's annotation says int
                timeout=cast(int, self.settings.slack_timeout_seconds),
                retry_handlers=[],
            )
        return self._sdk

    async def post_message(
        self, channel: str, text: str, blocks: Sequence[Block] | None = None, thread_ts: str | None = None
    ) -> PostedMessage:
        """Post `text` (also the notification's text when `blocks` are given) to `channel`, or as
        a reply in the thread of the message `thread_ts`."""
        client = self._client()
        arguments: dict[str, Any] = {"channel": channel, "text": text}
        if blocks:
            arguments["blocks"] = msgspec.to_builtins(list(blocks))
        if thread_ts is not None:
            arguments["thread_ts"] = thread_ts

        async def attempt() -> PostedMessage:
            try:
                response = await client.chat_postMessage(**arguments)
            except SlackApiError as error:
                raise _api_error(error) from None
            except TimeoutError:
                raise ExternalUnavailable(
                    SERVICE, f"no answer within {self.settings.slack_timeout_seconds:g} s", retryable=False
                ) from None
            except (aiohttp.ClientError, OSError) as error:
                raise ExternalUnavailable(SERVICE, f"connection failed: {type(error).__name__}") from None
            data = response.data
            if not isinstance(data, dict) or not isinstance(data.get("ts"), str):
                raise ExternalRejected(SERVICE, "chat.postMessage answer without ts", reason="malformed_answer")
            return PostedMessage(channel=str(data.get("channel") or channel), ts=data["ts"])

        return await logged_call(self.retry, SERVICE, "chat.postMessage", attempt)


def _api_error(error: SlackApiError) -> ExternalError:
    response = error.response
    # A SlackResponse, or (when the body was not JSON: a proxy's error page) aiohttp's response
    status = int(getattr(response, "status_code", None) or getattr(response, "status", None) or 0)
    data = getattr(response, "data", None)
    code = str(data.get("error")) if isinstance(data, dict) and data.get("error") else f"http_{status}"
    if status == 429 or code == "ratelimited":
        return ExternalRateLimited(SERVICE, "rate limited", retry_after=retry_after(getattr(response, "headers", None)))
    if status >= 500:
        return ExternalUnavailable(SERVICE, f"HTTP {status}: {code}")
    return ExternalRejected(SERVICE, f"chat.postMessage refused: {code}", reason=code, status=status or None)


__all__ = [
    "Block",
    "Context",
    "Divider",
    "Header",
    "Markdown",
    "PlainText",
    "PostedMessage",
    "Section",
    "SlackClient",
    "context",
    "header",
    "section",
]
