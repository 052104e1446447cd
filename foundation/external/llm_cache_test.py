"""The LLM cache in front of the real OpenAI client and the fake: hits, misses, replayed streams,
stable keys, atomic files without secrets."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from foundation.external.errors import ExternalRejected
from foundation.external.llm_cache import DirectoryStore, LLMCache, LLMCacheMiss, MemoryStore, cache_key
from foundation.external.openai import LLM, ChatMessage, ChatRequest, OpenAIClient, Tool
from foundation.external.settings import load_external_settings
from foundation.testing.fakes import FakeOpenAI
from foundation.testing.fakes.openai import FakeToolCall

QUESTION = ChatRequest(messages=[ChatMessage("system", "Summarize."), ChatMessage("user", "Acme's week")])


def llm(fake: FakeOpenAI) -> OpenAIClient:
    return OpenAIClient(load_external_settings(fake.settings() | {"OPENAI_MODEL": "gpt-test"}))


async def test_record_then_hit_calls_out_once(fake_openai: FakeOpenAI) -> None:
    cache = LLMCache(llm(fake_openai), MemoryStore(), "record")
    fake_openai.reply("A quiet week.")
    first = await cache.complete(QUESTION)
    second = await cache.complete(QUESTION)
    assert first == second
    assert second.content == "A quiet week."
    assert len(fake_openai.completions()) == 1


async def test_replay_miss_names_the_request_and_makes_no_call(fake_openai: FakeOpenAI) -> None:
    cache = LLMCache(llm(fake_openai), MemoryStore(), "replay")
    with pytest.raises(LLMCacheMiss) as raised:
        await cache.complete(QUESTION)
    message = str(raised.value)
    assert "'gpt-test'" in message
    assert "Acme's week" in message
    assert raised.value.key in message
    with pytest.raises(LLMCacheMiss):
        _ = [delta async for delta in cache.stream(QUESTION)]
    with pytest.raises(LLMCacheMiss):
        await cache.embed(["a"])
    assert fake_openai.requests == []


async def test_replay_needs_no_key_and_no_server(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    store = DirectoryStore(tmp_path)
    await LLMCache(llm(fake_openai), store, "record").complete(QUESTION)
    offline = OpenAIClient(
        load_external_settings({"OPENAI_MODEL": "gpt-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"})
    )
    response = await LLMCache(offline, store, "replay").complete(QUESTION)
    assert response.content == "echo: Acme's week"


async def test_a_stream_replays_as_the_same_deltas(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    fake_openai.reply("Up and to the right", tool_calls=[FakeToolCall("chart", '{"kind": "line"}', id="c1")])
    recorded = [d async for d in LLMCache(llm(fake_openai), store, "record").stream(QUESTION)]
    replayed = [d async for d in LLMCache(llm(fake_openai), store, "replay").stream(QUESTION)]
    assert replayed == recorded
    assert len(replayed) > 3  # still a stream of pieces, not one answer
    assert len(fake_openai.completions()) == 1


async def test_structured_and_embeddings_are_cached(fake_openai: FakeOpenAI) -> None:
    class Verdict(msgspec.Struct, frozen=True):
        healthy: bool

    cache = LLMCache(llm(fake_openai), MemoryStore(), "record")
    fake_openai.reply('{"healthy": true}')
    assert await cache.structured(QUESTION, Verdict) == Verdict(True)
    assert await cache.structured(QUESTION, Verdict) == Verdict(True)
    assert await cache.embed(["a", "b"]) == await cache.embed(["a", "b"])
    assert len(fake_openai.requests) == 2


async def test_off_always_calls_out(fake_openai: FakeOpenAI) -> None:
    cache = LLMCache(llm(fake_openai), MemoryStore(), "off")
    await cache.complete(QUESTION)
    await cache.complete(QUESTION)
    assert len(fake_openai.completions()) == 2


def test_keys_are_stable_across_dict_ordering_and_change_with_the_request() -> None:
    schema_a = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}
    schema_b = {"properties": {"days": {"type": "integer"}, "city": {"type": "string"}}, "type": "object"}
    a = ChatRequest(messages=QUESTION.messages, tools=[Tool("weather", "Forecast", schema_a)])
    b = ChatRequest(messages=QUESTION.messages, tools=[Tool("weather", "Forecast", schema_b)])
    client = OpenAIClient(load_external_settings({"OPENAI_MODEL": "gpt-test"}))
    from foundation.external.openai import request_arguments

    def key(request: ChatRequest) -> str:
        return cache_key("chat", request_arguments(request, client.model_for(request)))

    assert key(a) == key(b)
    assert key(a) != key(msgspec.structs.replace(a, temperature=0.5))
    assert key(a) != key(msgspec.structs.replace(a, model="gpt-other"))
    assert key(QUESTION) == key(msgspec.structs.replace(QUESTION, model="gpt-test"))  # the default, resolved
    assert len(key(QUESTION)) == 64


async def test_files_are_written_atomically_one_per_key_and_never_hold_the_key(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    cache = LLMCache(llm(fake_openai), DirectoryStore(tmp_path / "cache"), "record")
    leaky = ChatRequest(messages=[ChatMessage("user", f"my key is {fake_openai.api_key}")])
    await cache.complete(QUESTION)
    await cache.complete(leaky)  # the fake echoes it back: the answer holds the key too
    _ = [d async for d in cache.stream(QUESTION)]
    await cache.embed(["x"])
    files = sorted((tmp_path / "cache").iterdir())
    assert len(files) == 4
    assert all(f.suffix == ".json" and len(f.stem) == 64 for f in files)  # no temporary file left behind
    for file in files:
        text = file.read_text()
        assert fake_openai.api_key not in text
        assert "authorization" not in text.lower()
    assert any("[redacted]" in f.read_text() for f in files)
    assert (await cache.complete(leaky)).content == "echo: my key is [redacted]"  # replayed from the file
    assert len(fake_openai.completions()) == 3


def test_the_cache_and_the_client_are_interchangeable() -> None:
    client = OpenAIClient(load_external_settings({}))
    choices: list[LLM] = [client, LLMCache(client, MemoryStore())]  # pyright checks the shapes
    assert all(hasattr(choice, "stream") for choice in choices)


async def test_from_settings_takes_the_mode_and_directory(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    environ = fake_openai.settings() | {"LLM_CACHE_MODE": "record", "LLM_CACHE_DIR": str(tmp_path / "llm")}
    cache = LLMCache.from_settings(load_external_settings(environ))
    assert cache.mode == "record"
    await cache.complete(QUESTION)
    assert len(list((tmp_path / "llm").glob("*.json"))) == 1
    assert isinstance(LLMCache.from_settings(load_external_settings({})).store, MemoryStore)


async def test_a_malformed_structured_answer_is_not_kept_so_a_rerun_asks_again(fake_openai: FakeOpenAI) -> None:
    class Point(msgspec.Struct, frozen=True):
        x: int

    store = MemoryStore()
    cache = LLMCache(OpenAIClient(load_external_settings(fake_openai.settings())), store, "record")
    question = ChatRequest(messages=(ChatMessage(role="user", content="a point"),))
    fake_openai.reply('{"x": "not a number"}')
    with pytest.raises(ExternalRejected):
        await cache.structured(question, Point)
    assert store.entries == {}  # a bad answer replayed forever would fail every rerun
    fake_openai.reply('{"x": 3}')
    assert await cache.structured(question, Point) == Point(x=3)
    assert len(store.entries) == 1
