"""The OpenAI facade on the official SDK's async client: chat completions (whole or streamed),
embeddings and structured output into a msgspec Struct. Works with any OpenAI-compatible
provider at OPENAI_BASE_URL.

Requests and answers are frozen msgspec Structs; no SDK object or raw dict leaves this module.
The SDK's own retries are off (`max_retries=0`): `foundation.external.retry` is the one policy.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

import msgspec

from foundation.external.errors import ExternalError, ExternalRateLimited, ExternalRejected, ExternalUnavailable
from foundation.external.retry import CallLog, RetryPolicy, logged_call, retry_after, retry_policy, with_retries
from foundation.external.settings import ExternalSettings

if TYPE_CHECKING:  # the SDK and its transport are imported on first use: a serving worker that
    import httpx2  # never calls OpenAI does not carry them (they are most of its start-up time)
    import openai

SERVICE = "openai"
S = TypeVar("S", bound=msgspec.Struct)

Role = Literal["system", "user", "assistant", "tool"]


class ToolCall(msgspec.Struct, frozen=True):
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it


class ChatMessage(msgspec.Struct, frozen=True, omit_defaults=True):
    role: Role
    content: str | None = None
    tool_calls: Sequence[ToolCall] = ()  # an assistant's calls
    tool_call_id: str | None = None  # a tool's answer: the call it answers


class Tool(msgspec.Struct, frozen=True):
    name: str
    description: str
    parameters: dict[str, Any]  # a JSON schema


class ResponseFormat(msgspec.Struct, frozen=True):
    """Structured output: the answer is JSON matching `schema` (see `structured`)."""

    name: str
    schema: dict[str, Any]


class ChatRequest(msgspec.Struct, frozen=True, omit_defaults=True):
    messages: Sequence[ChatMessage]
    model: str | None = None  # None: OPENAI_MODEL
    tools: Sequence[Tool] = ()
    temperature: float | None = None
    max_tokens: int | None = None
    response_format: ResponseFormat | None = None


class Usage(msgspec.Struct, frozen=True):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatResponse(msgspec.Struct, frozen=True):
    content: str | None
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    usage: Usage | None = None


class ToolCallDelta(msgspec.Struct, frozen=True, omit_defaults=True):
    """A piece of the tool call at `index`: its first piece has the id and name."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


class ChatDelta(msgspec.Struct, frozen=True, omit_defaults=True):
    """One step of a streamed completion: a piece of text, a piece of a tool call, or (last) the
    finish reason with the assembled tool calls and the usage."""

    text: str | None = None
    tool_call: ToolCallDelta | None = None
    finish_reason: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage | None = None


class LLM(Protocol):
    """What the OpenAI client and the LLM cache both offer."""

    async def complete(self, request: ChatRequest) -> ChatResponse: ...

    def stream(self, request: ChatRequest) -> AsyncIterator[ChatDelta]: ...

    async def structured(self, request: ChatRequest, answer: type[S]) -> S: ...

    async def embed(self, texts: Sequence[str], *, model: str | None = None) -> list[list[float]]: ...


class OpenAIClient:
    """Built from settings; nothing is read or checked until the first call (a missing
    OPENAI_API_KEY raises `ConfigurationError` then). `http_client` and `retry` are for tests
    and special deployments."""

    def __init__(
        self,
        settings: ExternalSettings,
        *,
        http_client: httpx2.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.retry = retry or retry_policy(settings, settings.openai_max_retries)
        self._http_client = http_client
        self._sdk: openai.AsyncOpenAI | None = None

    def model_for(self, request: ChatRequest) -> str:
        return request.model or self.settings.openai_model

    def secrets(self) -> list[str]:
        key = self.settings.openai_api_key
        return [key.get_secret_value()] if key is not None else []

    def _client(self) -> openai.AsyncOpenAI:
        if self._sdk is None:
            import openai  # first use (see the imports above)

            self._sdk = openai.AsyncOpenAI(
                api_key=self.settings.require_openai_key(),
                base_url=self.settings.openai_base_url,
                timeout=self.settings.openai_timeout_seconds,
                max_retries=0,
                http_client=self._http_client,
            )
        return self._sdk

    async def close(self) -> None:
        if self._sdk is not None:
            await self._sdk.close()
            self._sdk = None

    async def complete(self, request: ChatRequest) -> ChatResponse:
        client = self._client()
        arguments = self._arguments(request)

        async def attempt() -> ChatResponse:
            # One deadline for the whole attempt: the SDK's timeout applies to each read apart.
            with _mapped_errors(self.settings):
                async with asyncio.timeout(self.settings.openai_timeout_seconds):
                    completion = await client.chat.completions.create(**arguments)
            return _response(completion)

        return await logged_call(self.retry, SERVICE, "chat.complete", attempt)

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
        """Text and tool-call deltas as they arrive; the last delta has the finish reason, the
        assembled tool calls and the usage. Opening the stream is retried; a failure mid-stream
        is not (deltas were already handed out)."""
        client = self._client()
        arguments = self._arguments(request) | {"stream": True, "stream_options": {"include_usage": True}}
        call = CallLog(SERVICE, "chat.stream")
        error: BaseException | None = None

        async def attempt() -> Any:  # until the answer starts; then each chunk within the timeout
            with _mapped_errors(self.settings):
                async with asyncio.timeout(self.settings.openai_timeout_seconds):
                    return await client.chat.completions.create(**arguments)

        try:
            chunks = await with_retries(self.retry, call, attempt)
            calls: dict[int, list[str]] = {}  # index -> [id, name, arguments]
            finish_reason = "stop"
            usage: Usage | None = None
            with _mapped_errors(self.settings):
                async for chunk in chunks:
                    if chunk.usage is not None:
                        usage = _usage(chunk.usage)
                    for choice in chunk.choices:
                        if choice.finish_reason is not None:
                            finish_reason = choice.finish_reason
                        delta = choice.delta
                        if delta.content:
                            yield ChatDelta(text=delta.content)
                        for piece in delta.tool_calls or ():
                            function = piece.function
                            name = function.name if function is not None else None
                            part = (function.arguments if function is not None else None) or ""
                            slot = calls.setdefault(piece.index, ["", "", ""])
                            slot[0] = piece.id or slot[0]
                            slot[1] = name or slot[1]
                            slot[2] += part
                            yield ChatDelta(tool_call=ToolCallDelta(piece.index, piece.id, name, part))
            assembled = tuple(ToolCall(id, name, args) for _, (id, name, args) in sorted(calls.items()))
            yield ChatDelta(finish_reason=finish_reason, tool_calls=assembled, usage=usage)
        except BaseException as failure:
            error = failure
            raise
        finally:
            call.write(error)

    async def structured(self, request: ChatRequest, answer: type[S]) -> S:
        return decode_structured(await self.complete(structured_request(request, answer)), answer)

    async def embed(self, texts: Sequence[str], *, model: str | None = None) -> list[list[float]]:
        client = self._client()
        chosen = model or self.settings.openai_embedding_model

        async def attempt() -> list[list[float]]:
            with _mapped_errors(self.settings):
                async with asyncio.timeout(self.settings.openai_timeout_seconds):
                    result = await client.embeddings.create(model=chosen, input=list(texts))
            vectors = sorted(result.data, key=lambda item: item.index)
            if len(vectors) != len(texts):
                raise ExternalRejected(
                    SERVICE, f"{len(vectors)} embeddings for {len(texts)} texts", reason="malformed_answer"
                )
            return [list(item.embedding) for item in vectors]

        return await logged_call(self.retry, SERVICE, "embeddings", attempt)

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        return request_arguments(request, self.model_for(request))


def request_arguments(request: ChatRequest, model: str) -> dict[str, Any]:
    """The chat completion request as OpenAI's API takes it (also the LLM cache's key material)."""
    arguments: dict[str, Any] = {"model": model, "messages": [_message(m) for m in request.messages]}
    if request.tools:
        arguments["tools"] = [
            {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
            for t in request.tools
        ]
    if request.temperature is not None:
        arguments["temperature"] = request.temperature
    if request.max_tokens is not None:
        arguments["max_tokens"] = request.max_tokens
    if request.response_format is not None:
        arguments["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": request.response_format.name, "schema": request.response_format.schema},
        }
    return arguments


def _message(message: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        out["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
    if message.tool_call_id is not None:
        out["tool_call_id"] = message.tool_call_id
    return out


def structured_request(request: ChatRequest, answer: type[msgspec.Struct]) -> ChatRequest:
    """`request` asking for JSON that decodes into `answer` (its msgspec JSON schema)."""
    (schema,), components = msgspec.json.schema_components([answer], ref_template="#/$defs/{name}")
    if components:
        schema = dict(schema) | {"$defs": components}
        if "$ref" in schema:  # the top level must be an object schema, not a reference
            schema = {**components[answer.__name__], "$defs": components}
    name = re.sub(r"[^A-Za-z0-9_-]", "_", answer.__name__)[:64]
    return msgspec.structs.replace(request, response_format=ResponseFormat(name=name, schema=dict(schema)))


_PATH = re.compile(r" - at `([^`]*)`$")


def decode_structured(response: ChatResponse, answer: type[S]) -> S:
    """The answer decoded into `answer`; a malformed one is `ExternalRejected` naming the field."""
    if response.content is None:
        raise ExternalRejected(SERVICE, "structured answer without content", reason="malformed_answer")
    try:
        return msgspec.json.decode(response.content, type=answer)
    except msgspec.ValidationError as error:
        match = _PATH.search(str(error))
        field = match.group(1) if match else "$"
        raise ExternalRejected(
            SERVICE, f"malformed structured answer at {field}: {error}", reason="malformed_answer", field=field
        ) from None
    except msgspec.DecodeError as error:
        raise ExternalRejected(
            SERVICE, f"structured answer is not JSON: {error}", reason="malformed_answer", field="$"
        ) from None


def _usage(usage: Any) -> Usage:
    return Usage(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)


def _response(completion: Any) -> ChatResponse:
    if not completion.choices:
        raise ExternalRejected(SERVICE, "completion without choices", reason="malformed_answer")
    choice = completion.choices[0]
    calls = tuple(
        ToolCall(c.id, c.function.name, c.function.arguments)
        for c in choice.message.tool_calls or ()
        if getattr(c, "function", None) is not None
    )
    usage = _usage(completion.usage) if completion.usage is not None else None
    return ChatResponse(choice.message.content, calls, choice.finish_reason or "stop", usage)


class _mapped_errors:
    """The SDK's exceptions as ours (a context manager: `with _mapped_errors(settings): ...`)."""

    def __init__(self, settings: ExternalSettings) -> None:
        self.settings = settings

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> None:
        if error is None or isinstance(error, ExternalError):
            return
        key = self.settings.openai_api_key
        mapped = map_error(error, self.settings.openai_timeout_seconds, [key.get_secret_value()] if key else [])
        if mapped is not None:
            raise mapped from None


def map_error(error: BaseException, timeout: float, secrets: Sequence[str] = ()) -> ExternalError | None:
    """Our error for an SDK or transport failure (None: not one of theirs). A provider's own
    message is kept (300 characters) with any of `secrets` in it redacted: an OpenAI-compatible
    server may echo the key it refused."""
    import httpx2  # imported already by any call that could raise their errors
    import openai

    if isinstance(error, openai.APITimeoutError | TimeoutError):
        return ExternalUnavailable(SERVICE, f"no answer within {timeout:g} s", retryable=False)
    if isinstance(error, openai.APIConnectionError):
        return ExternalUnavailable(SERVICE, f"connection failed: {type(error.__cause__ or error).__name__}")
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        body = error.body if isinstance(error.body, dict) else {}
        message = str(body.get("message") or f"HTTP {status}")
        for secret in filter(None, secrets):
            message = message.replace(secret, "[redacted]")
        message = message[:300]
        if status == 429 and body.get("code") == "insufficient_quota":  # no wait will make it pass
            return ExternalRejected(SERVICE, f"HTTP 429: {message}", reason="insufficient_quota", status=429)
        if status == 429:
            return ExternalRateLimited(
                SERVICE, f"rate limited: {message}", retry_after=retry_after(error.response.headers)
            )
        if status >= 500:
            return ExternalUnavailable(SERVICE, f"HTTP {status}: {message}")
        reason = str(body.get("code") or body.get("type") or f"http_{status}")
        return ExternalRejected(SERVICE, f"HTTP {status}: {message}", reason=reason, status=status)
    # Raised by the transport while a stream is read (the SDK wraps only the request itself).
    if isinstance(error, httpx2.TimeoutException):
        return ExternalUnavailable(SERVICE, f"no answer within {timeout:g} s", retryable=False)
    if isinstance(error, httpx2.TransportError):
        return ExternalUnavailable(SERVICE, f"connection failed: {type(error).__name__}")
    if isinstance(error, openai.APIResponseValidationError | openai.APIError):
        return ExternalRejected(SERVICE, f"unreadable answer: {error}", reason="malformed_answer")
    return None
