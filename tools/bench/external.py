"""The LLM cache's hit path overhead (issue 11): a cached completion hit, against

- a direct `OpenAIClient.complete` to the local OpenAI fake over loopback HTTP (the least a
  call that goes out can cost: no network, no model), and
- the bare cost of building the request (`ChatRequest` and the arguments OpenAI would receive),
  which every path pays.

Hits are measured from both stores (in memory, and a directory of JSON files). Interleaved
rounds on uvloop; medians of per-call times.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvloop

from foundation.external.llm_cache import DirectoryStore, LLMCache, MemoryStore
from foundation.external.openai import ChatMessage, ChatRequest, OpenAIClient, Tool, request_arguments
from foundation.external.settings import load_external_settings
from foundation.logging import configure_logging, flush_logs
from foundation.testing.fakes import openai_fake
from tools.bench.stats import heading, row

ROUNDS = 15
CALLS = {"build": 2000, "memory": 2000, "directory": 500, "fake": 50}
TOOL = Tool(
    "lookup_org",
    "Look an organization up",
    {"type": "object", "properties": {"org_id": {"type": "string"}, "days": {"type": "integer"}}},
)


def _request() -> ChatRequest:
    """A realistic prompt, the same every time (so every cached call is a hit): a system
    message, a user message with some numbers, one tool."""
    return ChatRequest(
        messages=[
            ChatMessage("system", "You write one paragraph summarizing an organization's week."),
            ChatMessage("user", "Org acme: 12 sign-ups, 40 logins, 7 active members, 3 invites sent, 2 accepted."),
        ],
        tools=[TOOL],
        temperature=0.0,
    )


async def _per_call(run: Callable[[int], Awaitable[None]], calls: int) -> float:
    started = time.perf_counter()
    for n in range(calls):
        await run(n)
    return (time.perf_counter() - started) / calls


async def _measure(directory: Path) -> dict[str, float]:
    with openai_fake() as fake:
        settings = load_external_settings(fake.settings() | {"OPENAI_MODEL": "gpt-bench"})
        client = OpenAIClient(settings)
        memory = LLMCache(client, MemoryStore(), "record")
        on_disk = LLMCache(client, DirectoryStore(directory), "record")
        await memory.complete(_request())  # recorded once: every later call is a hit
        await on_disk.complete(_request())
        memory.mode = on_disk.mode = "replay"

        async def build(n: int) -> None:
            request = _request()
            request_arguments(request, client.model_for(request))

        async def hit_memory(n: int) -> None:
            await memory.complete(_request())

        async def hit_directory(n: int) -> None:
            await on_disk.complete(_request())

        async def direct(n: int) -> None:
            await client.complete(_request())

        sides = {
            "build": build,
            "memory": hit_memory,
            "directory": hit_directory,
            "fake": direct,
        }
        samples: dict[str, list[float]] = {name: [] for name in sides}
        for name, run in sides.items():  # warm up
            await _per_call(run, max(5, CALLS[name] // 10))
        for index in range(ROUNDS):
            for name in list(sides) if index % 2 else reversed(list(sides)):
                samples[name].append(await _per_call(sides[name], CALLS[name]))
                flush_logs()
        await client.close()
        return {name: statistics.median(values) for name, values in samples.items()}


class _NullBuffer:
    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


class _Discard:
    """A stderr that drops the facade's log lines (the sink writes bytes to `.buffer`)."""

    buffer = _NullBuffer()

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def run_all() -> None:
    heading(f"The LLM cache's hit path (uvloop; {ROUNDS} interleaved rounds, medians per call)")
    configure_logging("json", "INFO")
    discard = contextlib.redirect_stderr(_Discard())  # pyright: ignore[reportArgumentType]
    with tempfile.TemporaryDirectory(prefix="blossom-bench-llm-") as directory, discard:
        results = uvloop.run(_measure(Path(directory)))
    build, fake = results["build"], results["fake"]
    row("per completion", "median", "vs building", "vs the fake")
    row("build the request (ChatRequest + arguments)", f"{build * 1e6:.1f} µs", "1.0 ×", f"{build / fake:.2g} ×")
    for name, label in (("memory", "cache hit, in memory"), ("directory", "cache hit, directory of JSON files")):
        value = results[name]
        row(label, f"{value * 1e6:.1f} µs", f"{value / build:.1f} ×", f"{value / fake:.2g} ×")
    row("OpenAIClient.complete → local fake (loopback)", f"{fake * 1e6:.1f} µs", f"{fake / build:.1f} ×", "1.0 ×")
    overhead = results["memory"] - build
    row("hit overhead over building (memory)", f"{overhead * 1e6:.1f} µs", "", "")
    sys.stdout.flush()
