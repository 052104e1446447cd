"""Assistant figures: the streaming route `chat.reply` against the fake OpenAI server, in one
process and one event loop (one worker's share), on a database cloned from the test template.

- time to first event (`message_start`: rate limits off, the slot transaction, the prompt's reads)
  and to the end of a reply of 200 one-character deltas, median of sequential replies;
- per-event overhead: the route's time per delta minus the facade's own (`OpenAIClient.stream`
  straight against the same fake, same reply), i.e. what the RPC stream adds per event;
- 200 concurrent streams held open mid-reply (the fake stalls after its first chunk): resident
  memory per stream (RSS growth / 200) and the event loop's lag p99 (a 5 ms ticker's overshoot);
  that fake runs in a process of its own.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvloop

from database.app_database import AppDatabase
from database.connect import create_pool
from database.target import DatabaseTarget
from database.testing.harness import create_worker_database
from foundation.external.openai import ChatDelta, ChatMessage, ChatRequest, OpenAIClient
from foundation.external.retry import RetryPolicy
from foundation.external.settings import load_external_settings
from foundation.mail import RecordingMailer
from foundation.passwords import PasswordHasher
from foundation.settings import REPO_ROOT, load_settings
from foundation.testing.fakes.openai import API_KEY, FakeOpenAI, openai_fake
from foundation.time import system_clock
from product.app import create_app
from product.services import ProductServices
from tools.bench.stats import heading, ms, percentile, row, us

SEQUENTIAL = 30
REPLY = "x" * 200  # 200 deltas of one character
CONCURRENT = 200
STALL_SECONDS = 3.0


def _rss_bytes() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def _seed(target: DatabaseTarget) -> None:
    pool = await create_pool(target.owner, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            org = await conn.fetchval(
                "INSERT INTO orgs (id, name) VALUES ($1, 'Bench') RETURNING id", "org_" + "0" * 26
            )
            workspace = await conn.fetchval(
                "INSERT INTO workspaces (org_id, display_name, created_at, updated_at)"
                " VALUES ($1, 'Bench', now(), now()) RETURNING id",
                org,
            )
            await conn.execute(
                "INSERT INTO workspace_handles (org_id, workspace_id, handle, created_at)"
                " VALUES ($1, $2, 'bench', now())",
                org,
                workspace,
            )
    finally:
        await pool.close()


class _Stream:
    """One `chat.reply` driven straight through the ASGI app: when its first event and its end
    arrived, and how many events it carried."""

    def __init__(self, app: Any, body: dict[str, str]) -> None:
        self.app, self.body = app, json.dumps(body).encode()
        self.started = self.first = self.ended = 0.0
        self.events = 0
        self.first_seen = asyncio.Event()
        self._done = asyncio.Event()
        self._requested = False

    async def _receive(self) -> dict[str, Any]:
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        await self._done.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] != "http.response.body":
            return
        chunk = message.get("body", b"")
        if chunk:
            self.events += chunk.count(b"\n\n")
            if not self.first:
                self.first = time.perf_counter()
                self.first_seen.set()
        if not message.get("more_body"):
            self.ended = time.perf_counter()
            self._done.set()

    async def run(self) -> _Stream:
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/rpc/chat.reply",
            "headers": [(b"content-type", b"application/json"), (b"host", b"bench")],
            "client": ("127.0.0.1", 40000),
            "scheme": "http",
            "query_string": b"",
        }
        self.started = time.perf_counter()
        await self.app(scope, self._receive, self._send)
        return self


async def _start(app: Any, count: int) -> list[dict[str, str]]:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        out = []
        for _ in range(count):
            started = (await http.post("/rpc/chat.start", json={"handle": "bench"})).json()
            out.append({"conversation_id": started["conversation_id"], "token": started["token"]})
        return out


_FAKE_PROCESS = """
import sys
from foundation.testing.fakes.openai import FakeOpenAI
fake = FakeOpenAI()
for _ in range(int(sys.argv[1])):
    fake.reply("done", stall_after_first_chunk=float(sys.argv[2]))
with fake.serving():
    print(fake.port, flush=True)
    sys.stdin.read()
"""


def _fake_process(replies: int) -> tuple[subprocess.Popen[str], OpenAIClient]:
    process = subprocess.Popen(
        [sys.executable, "-c", _FAKE_PROCESS, str(replies), str(STALL_SECONDS)],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    environ = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1"}
    return process, OpenAIClient(load_external_settings(environ), retry=RetryPolicy(max_attempts=1))


class _Instant(OpenAIClient):
    """A provider with no I/O: the 200 deltas at once (isolates the route's own cost per event)."""

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
        for char in REPLY:
            yield ChatDelta(text=char)
        yield ChatDelta(finish_reason="stop")


async def _facade_per_delta(client: OpenAIClient, fake: FakeOpenAI) -> float:
    samples = []
    for _ in range(SEQUENTIAL):
        fake.reply(REPLY, chunk_size=1)
        first = 0.0
        count = 0
        async for delta in client.stream(ChatRequest(messages=[ChatMessage(role="user", content="hi")])):
            if delta.text:
                count += 1
                first = first or time.perf_counter()
        samples.append((time.perf_counter() - first) / max(1, count - 1))
    return statistics.median(samples)


async def _measure(target: DatabaseTarget) -> dict[str, float]:
    await _seed(target)
    settings = load_settings(
        {
            "DATABASE_URL": target.admin.render(),
            "APP_DATABASE_URL": target.app.render(),
            "BLOSSOM_ENV": "test",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "BLOSSOM_DISABLE_RATE_LIMITS": "1",
        }
    )
    results: dict[str, float] = {}
    with openai_fake() as fake:
        client = OpenAIClient(load_external_settings(fake.settings()), retry=RetryPolicy(max_attempts=1))
        services = ProductServices(
            settings, system_clock, PasswordHasher(iterations=1000), RecordingMailer(), llm=client
        )
        services.chat_streams_per_workspace = 10 * CONCURRENT
        database = AppDatabase(settings)
        app = create_app(settings, services=services, database=database, deliver_in_background=False)
        async with app.fallback.test_app():
            visitors = await _start(app, CONCURRENT)
            firsts, per_event = [], []
            for body in visitors[:SEQUENTIAL]:
                fake.reply(REPLY, chunk_size=1)
                stream = await _Stream(app, body).run()
                firsts.append(stream.first - stream.started)
                per_event.append((stream.ended - stream.first) / max(1, stream.events - 1))
            facade = await _facade_per_delta(client, fake)
            # The same replies from a provider that answers at once: what the route itself costs per event.
            services.llm = _Instant(client.settings)
            instant = []
            for body in visitors[:SEQUENTIAL]:
                stream = await _Stream(app, body).run()
                instant.append((stream.ended - stream.first) / max(1, stream.events - 1))
            results["instant_per_event"] = statistics.median(instant)
            services.llm = client
            for _ in range(SEQUENTIAL):
                fake.reply(REPLY, chunk_size=1)
            for body in visitors[:SEQUENTIAL]:  # (keeps the fake's request count as the loop below expects)
                await _Stream(app, body).run()
            results["first"] = statistics.median(firsts)
            results["per_event"] = statistics.median(per_event)
            results["facade_per_delta"] = facade

            # 200 at once, each held open mid-reply by the fake's stall.
            lags: list[float] = []
            ticking = True

            async def ticker() -> None:
                while ticking:
                    before = time.perf_counter()
                    await asyncio.sleep(0.005)
                    lags.append(time.perf_counter() - before - 0.005)

            # This fake runs in a process of its own: on a thread of this one, its 200 connections
            # would hold the GIL against the worker's loop and measure their contention instead.
            remote, remote_client = _fake_process(CONCURRENT)
            services.llm = remote_client
            rss_before = _rss_bytes()
            tick = asyncio.ensure_future(ticker())
            streams = [_Stream(app, body) for body in visitors]
            running = [asyncio.ensure_future(s.run()) for s in streams]
            began = time.perf_counter()
            await asyncio.gather(*(s.first_seen.wait() for s in streams))
            results["all_started"] = time.perf_counter() - began
            await asyncio.sleep(0.5)  # every stream is waiting on the stalled provider now
            rss_peak = _rss_bytes()
            await asyncio.gather(*running)
            ticking = False
            await tick
            await remote_client.close()
            remote.stdin.close()  # type: ignore[union-attr]
            remote.wait(timeout=10)
            results["rss_per_stream"] = (rss_peak - rss_before) / CONCURRENT
            results["lag_p99"] = percentile(lags, 0.99)
            results["lag_max"] = max(lags)
            results["concurrent_ok"] = sum(s.events >= 3 for s in streams)
            results["concurrent_wall"] = max(s.ended for s in streams) - min(s.started for s in streams)
        await client.close()
    return results


def run_all() -> None:
    heading(
        f"Assistant: chat.reply against the fake OpenAI server (one process, one event loop; "
        f"{SEQUENTIAL} sequential replies of {len(REPLY)} deltas, then {CONCURRENT} concurrent)"
    )
    worker = create_worker_database("bench_assistant")
    try:
        r = uvloop.run(_measure(worker.target))
    finally:
        worker.drop()
    row("time to first event (message_start), median", ms(r["first"]))
    row("time per delta through the route, median", us(r["per_event"]))
    row("time per delta, the facade alone, median", us(r["facade_per_delta"]))
    row("time per event, a provider without I/O, median", us(r["instant_per_event"]))
    row(f"{CONCURRENT} concurrent streams completed", f"{int(r['concurrent_ok'])}/{CONCURRENT}")
    row(f"  wall time (the fake stalls {STALL_SECONDS:g} s each)", ms(r["concurrent_wall"]))
    row("  all streams past message_start", ms(r["all_started"]))
    row("  resident memory per open stream", f"{r['rss_per_stream'] / 1024:.0f} KiB")
    row("  event-loop lag p99 (max)", ms(r["lag_p99"]), ms(r["lag_max"]))
