"""A fake of Slack's Web API `chat.postMessage` (`POST /api/chat.postMessage`, JSON or form
body, bearer token): `{"ok": true, "channel", "ts", "message"}`; `error_next("channel_not_found")`
answers `{"ok": false, "error": ...}` with HTTP 200 as Slack does, `ratelimit_next(seconds)` a
429 with Retry-After and `{"ok": false, "error": "ratelimited"}`."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from foundation.testing.fakes.server import Fake, Recorded, json_response

BOT_TOKEN = "xoxb-fake-000000000000-0000000000000-abcdefghijklmnopqrstuvwx"  # noqa: S105 (a fake's)


@dataclass
class FakeSlack(Fake):
    token: str = BOT_TOKEN
    posted: list[dict[str, Any]] = field(default_factory=list)  # the accepted messages, as sent
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        super().__init__()

    def settings(self) -> dict[str, str]:
        return {"SLACK_BOT_TOKEN": self.token, "SLACK_BASE_URL": f"{self.origin}/api/"}

    def error_body(self, status: int) -> Any:
        return {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}

    def error_next(self, code: str) -> None:
        """Answer the next call with `{"ok": false, "error": code}` (HTTP 200, as Slack does)."""
        self.fail_next(200, {"ok": False, "error": code})

    def ratelimit_next(self, retry_after: float, *, times: int = 1) -> None:
        self.fail_next(429, {"ok": False, "error": "ratelimited"}, retry_after=retry_after, times=times)

    async def handle(self, request: web.Request, recorded: Recorded) -> web.StreamResponse:
        if recorded.path != "/api/chat.postMessage":
            return json_response({"ok": False, "error": "unknown_method"}, 404)
        if recorded.headers.get("authorization") != f"Bearer {self.token}":
            return json_response({"ok": False, "error": "invalid_auth"})
        if recorded.headers.get("content-type", "").startswith("application/json"):
            body = recorded.json()
        else:
            body = dict(parse_qsl(recorded.body.decode()))
        channel = body.get("channel")
        if not channel:
            return json_response({"ok": False, "error": "channel_not_found"})
        if not (body.get("text") or body.get("blocks")):
            return json_response({"ok": False, "error": "no_text"})
        ts = f"1700000000.{next(self._ts):06d}"
        self.posted.append(body)
        message = {"type": "message", "text": body.get("text", ""), "ts": ts, "bot_id": "B0FAKE"}
        if body.get("thread_ts"):
            message["thread_ts"] = body["thread_ts"]
        return json_response({"ok": True, "channel": channel, "ts": ts, "message": message})


@contextlib.contextmanager
def slack_fake(token: str = BOT_TOKEN) -> Iterator[FakeSlack]:
    with FakeSlack(token=token).serving() as fake:
        yield fake
