"""The OpenAI facade on the real SDK against the local fake over loopback HTTP."""

from __future__ import annotations

import time

import msgspec
import pytest

from foundation.errors import ConfigurationError
from foundation.external.errors import ExternalRateLimited, ExternalRejected, ExternalUnavailable
from foundation.external.openai import ChatDelta, ChatMessage, ChatRequest, OpenAIClient, Tool, ToolCall
from foundation.external.settings import load_external_settings
from foundation.testing.fakes import FakeOpenAI
from foundation.testing.fakes.fixtures import Logs, Sleeps
from foundation.testing.fakes.openai import FakeToolCall, embedding

HELLO = ChatRequest(messages=[ChatMessage("system", "Be brief."), ChatMessage("user", "Hello")])


def client(fake: FakeOpenAI, sleeps: Sleeps | None = None, **env: str) -> OpenAIClient:
    settings = load_external_settings(fake.settings() | {"OPENAI_MODEL": "gpt-test"} | env)
    return OpenAIClient(settings, retry=sleeps.policy() if sleeps else None)


async def test_a_completion_sends_the_key_model_and_messages(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply("Hi there")
    response = await client(fake_openai).complete(HELLO)
    assert response.content == "Hi there"
    assert response.finish_reason == "stop"
    assert response.usage is not None
    (sent,) = fake_openai.completions()
    assert sent.headers["authorization"] == f"Bearer {fake_openai.api_key}"
    body = sent.json()
    assert body["model"] == "gpt-test"
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
    assert "stream" not in body


async def test_tools_go_out_and_tool_calls_come_back_typed(fake_openai: FakeOpenAI) -> None:
    weather = Tool("weather", "The weather in a city", {"type": "object", "properties": {"city": {"type": "string"}}})
    fake_openai.reply(None, tool_calls=[FakeToolCall("weather", '{"city": "Oslo"}', id="call_1")])
    response = await client(fake_openai).complete(
        ChatRequest(messages=[ChatMessage("user", "Weather?")], tools=[weather], temperature=0.0, max_tokens=50)
    )
    assert response.tool_calls == (ToolCall("call_1", "weather", '{"city": "Oslo"}'),)
    assert response.finish_reason == "tool_calls"
    body = fake_openai.completions()[0].json()
    assert body["tools"][0] == {"type": "function", "function": msgspec.to_builtins(weather)}
    assert (body["temperature"], body["max_tokens"]) == (0.0, 50)


async def test_a_tool_answer_goes_back_with_its_call_id(fake_openai: FakeOpenAI) -> None:
    call = ToolCall("call_1", "weather", "{}")
    await client(fake_openai).complete(
        ChatRequest(
            messages=[
                ChatMessage("user", "Weather?"),
                ChatMessage("assistant", None, tool_calls=[call]),
                ChatMessage("tool", "sunny", tool_call_id="call_1"),
            ]
        )
    )
    messages = fake_openai.completions()[0].json()["messages"]
    assert messages[1]["tool_calls"] == [
        {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}
    ]
    assert messages[2] == {"role": "tool", "content": "sunny", "tool_call_id": "call_1"}


async def test_streaming_yields_text_and_tool_call_deltas_then_the_assembled_calls(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply("Hello world", tool_calls=[FakeToolCall("lookup", '{"q": "blossom"}', id="call_9")], chunk_size=3)
    deltas = [delta async for delta in client(fake_openai).stream(HELLO)]
    assert "".join(d.text for d in deltas if d.text) == "Hello world"
    assert len([d for d in deltas if d.text]) == 4  # streamed in pieces, not at once
    pieces = [d.tool_call for d in deltas if d.tool_call]
    assert pieces[0].id == "call_9" and pieces[0].name == "lookup"
    assert "".join(p.arguments for p in pieces) == '{"q": "blossom"}'
    last = deltas[-1]
    assert last.finish_reason == "tool_calls"
    assert last.tool_calls == (ToolCall("call_9", "lookup", '{"q": "blossom"}'),)
    assert last.usage is not None
    assert fake_openai.completions()[0].json()["stream"] is True


async def test_embeddings_come_back_in_input_order(fake_openai: FakeOpenAI) -> None:
    vectors = await client(fake_openai).embed(["one", "two"])
    assert vectors == [embedding("one"), embedding("two")]
    assert fake_openai.requests[0].json()["model"] == "text-embedding-3-small"


class Summary(msgspec.Struct, frozen=True):
    title: str
    points: list[int]


async def test_structured_output_sends_the_schema_and_decodes_the_answer(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply('{"title": "Week", "points": [1, 2]}')
    assert await client(fake_openai).structured(HELLO, Summary) == Summary("Week", [1, 2])
    response_format = fake_openai.completions()[0].json()["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Summary"
    assert response_format["json_schema"]["schema"]["required"] == ["title", "points"]


async def test_a_malformed_structured_answer_names_the_field(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply('{"title": "Week", "points": [1, "two"]}')
    with pytest.raises(ExternalRejected) as raised:
        await client(fake_openai).structured(HELLO, Summary)
    assert raised.value.reason == "malformed_answer"
    assert raised.value.field == "$.points[1]"
    assert "$.points[1]" in str(raised.value)
    fake_openai.reply("not json")
    with pytest.raises(ExternalRejected, match="not JSON"):
        await client(fake_openai).structured(HELLO, Summary)


async def test_429_is_retried_after_retry_after_then_succeeds(fake_openai: FakeOpenAI, sleeps: Sleeps) -> None:
    fake_openai.fail_next(429, retry_after=2, times=2)
    fake_openai.reply("finally")
    response = await client(fake_openai, sleeps).complete(HELLO)
    assert response.content == "finally"
    assert sleeps.delays == [2.0, 2.0]
    assert len(fake_openai.completions()) == 3  # the SDK's own retries are off: ours made 3 attempts


async def test_a_429_storm_ends_in_rate_limited_after_max_attempts(fake_openai: FakeOpenAI, sleeps: Sleeps) -> None:
    fake_openai.fail_next(429, retry_after=1, times=10)
    with pytest.raises(ExternalRateLimited) as raised:
        await client(fake_openai, sleeps).complete(HELLO)
    assert raised.value.retry_after == 1.0
    assert len(fake_openai.completions()) == 4
    assert sleeps.delays == [1.0, 1.0, 1.0]


async def test_500_backs_off_exponentially_then_is_unavailable(fake_openai: FakeOpenAI, sleeps: Sleeps) -> None:
    fake_openai.fail_next(500, times=10)
    with pytest.raises(ExternalUnavailable, match="HTTP 500"):
        await client(fake_openai, sleeps).complete(HELLO)
    assert len(fake_openai.completions()) == 4
    assert sleeps.delays == pytest.approx([0.4995, 0.999, 1.998])  # 0.999 * 0.5 * 2**n (the jitter at its top)


async def test_a_401_is_rejected_at_once_with_the_providers_code(fake_openai: FakeOpenAI, sleeps: Sleeps) -> None:
    with pytest.raises(ExternalRejected) as raised:
        await client(fake_openai, sleeps, OPENAI_API_KEY="sk-wrong").complete(HELLO)
    assert (raised.value.reason, raised.value.status) == ("invalid_api_key", 401)
    assert sleeps.delays == []
    assert "sk-wrong" not in str(raised.value)


async def test_a_stalled_server_is_unavailable_within_the_timeout(fake_openai: FakeOpenAI, sleeps: Sleeps) -> None:
    fake_openai.stall_next(30)
    started = time.perf_counter()
    with pytest.raises(ExternalUnavailable, match=r"no answer within 0\.3 s") as raised:
        await client(fake_openai, sleeps, OPENAI_TIMEOUT_SECONDS="0.3").complete(HELLO)
    assert time.perf_counter() - started < 10  # bounded by the timeout (0.3 s), not the stall (30 s)
    assert raised.value.retryable is False
    assert sleeps.delays == []  # a timeout is not retried: its time budget is spent


async def test_an_unreachable_server_is_unavailable(sleeps: Sleeps) -> None:
    from foundation.testing.servers import free_port

    settings = load_external_settings(
        {"OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1"}
    )
    with pytest.raises(ExternalUnavailable, match="connection failed"):
        await OpenAIClient(settings, retry=sleeps.policy(max_attempts=2)).complete(HELLO)
    assert len(sleeps.delays) == 1


async def test_a_missing_key_fails_at_first_use_naming_the_variable() -> None:
    llm = OpenAIClient(load_external_settings({}))  # constructing needs nothing
    with pytest.raises(ConfigurationError, match=r"^OPENAI_API_KEY is not set"):
        await llm.complete(HELLO)


async def test_one_log_line_per_call_and_never_the_key(fake_openai: FakeOpenAI, sleeps: Sleeps, logs: Logs) -> None:
    llm = client(fake_openai, sleeps)
    await llm.complete(HELLO)
    fake_openai.fail_next(500, times=2)
    _ = [delta async for delta in llm.stream(HELLO)]
    await llm.embed(["x"])
    fake_openai.fail_next(400, {"error": {"message": "bad", "code": "bad_request"}})
    with pytest.raises(ExternalRejected):
        await llm.complete(HELLO)
    calls = logs.calls()
    assert [(c["operation"], c["outcome"], c["attempts"]) for c in calls] == [
        ("chat.complete", "ok", 1),
        ("chat.stream", "ok", 3),
        ("embeddings", "ok", 1),
        ("chat.complete", "rejected", 1),
    ]
    assert all(c["service"] == "openai" and isinstance(c["duration_ms"], float) for c in calls)
    assert fake_openai.api_key not in logs.read()


def test_deltas_are_plain_structs() -> None:
    assert msgspec.json.decode(msgspec.json.encode(ChatDelta(text="a")), type=ChatDelta) == ChatDelta(text="a")


async def test_an_http_client_of_our_own_is_used(fake_openai: FakeOpenAI) -> None:
    import httpx2

    async with httpx2.AsyncClient(headers={"x-blossom-test": "own-client"}) as http:
        settings = load_external_settings(fake_openai.settings())
        await OpenAIClient(settings, http_client=http).complete(HELLO)
    assert fake_openai.completions()[0].headers["x-blossom-test"] == "own-client"


async def test_a_stream_that_stalls_midway_is_unavailable_within_the_timeout(
    fake_openai: FakeOpenAI, sleeps: Sleeps, logs: Logs
) -> None:
    fake_openai.reply("never finished", stall_after_first_chunk=30)
    started = time.perf_counter()
    with pytest.raises(ExternalUnavailable, match=r"no answer within 0\.3 s"):
        _ = [delta async for delta in client(fake_openai, sleeps, OPENAI_TIMEOUT_SECONDS="0.3").stream(HELLO)]
    assert time.perf_counter() - started < 10
    assert sleeps.delays == []  # handed-out deltas cannot be taken back: a stream is not retried midway
    (call,) = logs.calls()
    assert (call["operation"], call["outcome"]) == ("chat.stream", "unavailable")


async def test_an_exhausted_quota_is_rejected_not_retried(fake_openai: FakeOpenAI, sleeps: Sleeps) -> None:
    quota = {
        "error": {
            "message": "You exceeded your current quota",
            "type": "insufficient_quota",
            "code": "insufficient_quota",
        }
    }
    fake_openai.fail_next(429, quota)
    with pytest.raises(ExternalRejected) as raised:
        await client(fake_openai, sleeps).complete(HELLO)
    assert (raised.value.reason, raised.value.status) == ("insufficient_quota", 429)
    assert sleeps.delays == []
