"""A fake of OpenAI's HTTP API: `POST /v1/chat/completions` (JSON, or Server-Sent Events with
`stream: true`, chunked as OpenAI sends them, tool calls included) and `POST /v1/embeddings`.

Answers come from `reply(...)` in order; unscripted, a completion echoes the last user message.
A wrong or missing bearer token is a 401 as OpenAI answers it."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import struct
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from foundation.testing.fakes.server import Fake, Recorded, json_response

API_KEY = "sk-fake-0123456789abcdefghijklmnop"  # what the fake accepts unless told otherwise


@dataclass(frozen=True)
class FakeToolCall:
    name: str
    arguments: str
    id: str = ""


@dataclass
class FakeReply:
    content: str | None = None
    tool_calls: Sequence[FakeToolCall] = ()
    finish_reason: str | None = None  # default: "tool_calls" with tool calls, else "stop"
    chunk_size: int = 4  # characters per streamed content / arguments delta
    stall_after_first_chunk: float = 0.0  # a stream that stops mid-way for this long
    error_after_chunks: int | None = None  # a stream that fails after this many content chunks


@dataclass
class FakeOpenAI(Fake):
    api_key: str = API_KEY
    replies: deque[FakeReply] = field(default_factory=deque)
    embedding_dimensions: int = 8

    def __post_init__(self) -> None:
        super().__init__()

    def settings(self) -> dict[str, str]:
        """The environment that points `ExternalSettings` here."""
        return {"OPENAI_API_KEY": self.api_key, "OPENAI_BASE_URL": f"{self.origin}/v1"}

    def reply(
        self,
        content: str | None = None,
        *,
        tool_calls: Sequence[FakeToolCall] = (),
        finish_reason: str | None = None,
        chunk_size: int = 4,
        stall_after_first_chunk: float = 0.0,
        error_after_chunks: int | None = None,
    ) -> None:
        """Queue the answer to the next completion request. `error_after_chunks`: a stream sends
        that many content chunks, then an error event as OpenAI does mid-stream
        (`data: {"error": {...}}`), and ends."""
        self.replies.append(
            FakeReply(
                content, tuple(tool_calls), finish_reason, chunk_size, stall_after_first_chunk, error_after_chunks
            )
        )

    def completions(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/v1/chat/completions"]

    async def handle(self, request: web.Request, recorded: Recorded) -> web.StreamResponse:
        if recorded.headers.get("authorization") != f"Bearer {self.api_key}":
            return json_response(
                {
                    "error": {
                        "message": "Incorrect API key provided.",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": "invalid_api_key",
                    }
                },
                status=401,
            )
        if request.method == "POST" and recorded.path == "/v1/chat/completions":
            return await self._chat(request, recorded.json())
        if request.method == "POST" and recorded.path == "/v1/embeddings":
            return self._embeddings(recorded.json())
        return json_response({"error": {"message": "Unknown request URL", "type": "invalid_request_error"}}, 404)

    def _next_reply(self, body: dict[str, Any]) -> FakeReply:
        if self.replies:
            return self.replies.popleft()
        users = [m for m in body.get("messages", []) if m.get("role") == "user"]
        last = users[-1]["content"] if users else ""
        return FakeReply(content=f"echo: {last}")

    async def _chat(self, request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        reply = self._next_reply(body)
        model = body.get("model", "")
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        calls = [
            {
                "id": call.id or f"call_{index}",
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for index, call in enumerate(reply.tool_calls)
        ]
        prompt_tokens = sum(len(str(m.get("content") or "").split()) for m in body.get("messages", []))
        completion_tokens = len((reply.content or "").split()) + len(calls)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
            if calls:
                message["tool_calls"] = calls
            return json_response(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 1_700_000_000,
                    "model": model,
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
                    "usage": usage,
                }
            )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)

        async def send(delta: dict[str, Any], finish_reason: str | None = None) -> None:
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 1_700_000_000,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
            }
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())

        size = max(1, reply.chunk_size)
        await send({"role": "assistant", "content": "" if reply.content is not None else None, "refusal": None})
        if reply.stall_after_first_chunk:
            await asyncio.sleep(reply.stall_after_first_chunk)
        for sent, start in enumerate(range(0, len(reply.content or ""), size)):
            if reply.error_after_chunks is not None and sent >= reply.error_after_chunks:
                break
            await send({"content": (reply.content or "")[start : start + size]})
        if reply.error_after_chunks is not None:
            error = {
                "error": {"message": "The server had an error while processing your request.", "type": "server_error"}
            }
            await response.write(f"data: {json.dumps(error)}\n\n".encode())
            await response.write_eof()
            return response
        for index, call in enumerate(calls):
            function = call["function"]
            await send(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": function["name"], "arguments": ""},
                        }
                    ]
                }
            )
            arguments = function["arguments"]
            for start in range(0, len(arguments), size):
                piece = arguments[start : start + size]
                await send({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        await send({}, finish)
        if (body.get("stream_options") or {}).get("include_usage"):
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 1_700_000_000,
                "model": model,
                "choices": [],
                "usage": usage,
            }
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    def _embeddings(self, body: dict[str, Any]) -> web.Response:
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        data = [
            {"object": "embedding", "index": index, "embedding": embedding(text, self.embedding_dimensions)}
            for index, text in enumerate(texts)
        ]
        tokens = sum(len(str(t).split()) for t in texts)
        return json_response(
            {
                "object": "list",
                "data": data,
                "model": body.get("model", ""),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )


def embedding(text: str, dimensions: int = 8) -> list[float]:
    """The fake's vector for `text`: deterministic, in [-1, 1)."""
    digest = hashlib.sha256(text.encode()).digest() * (1 + dimensions // 16)
    return [v / 32768 for v in struct.unpack(f"<{dimensions}h", digest[: 2 * dimensions])]


@contextlib.contextmanager
def openai_fake(api_key: str = API_KEY) -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=api_key).serving() as fake:
        yield fake
