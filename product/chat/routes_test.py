"""The public chat over HTTP, against the real PostgreSQL and the fake OpenAI server through the
real SDK."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import httpx

from foundation.testing.fakes.openai import FakeOpenAI, FakeToolCall
from product.chat.routes import MAX_REPLY_TOKENS, MAX_TOOL_CALLS_PER_ROUND, MESSAGES_PER_PAGE, READ_PER_TOKEN
from product.testing import ProductHarness
from product.workspaces.routes_test import call, member_client

REPLY = "Hello! We are open from nine to five, Monday to Friday."


def events(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    """The Server-Sent Events of a finished stream: (type, data); an `event: error` is ("error", data)."""
    out = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        name, data = "", ""
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
        payload = json.loads(data)
        out.append((name or payload["type"], payload))
    return out


async def open_chat(product: ProductHarness, *, connector: bool = True) -> tuple[httpx.AsyncClient, dict]:
    """A workspace with a service and (optionally) an active Calendly connector, and a visitor's
    started conversation: (the member's client, the `chat.start` answer)."""
    member = await member_client(product, "Acme Dental")
    await call(member, "workspaces.update", {"tone": "concise", "knowledge_base": "Open 9-5, Monday to Friday."})
    await call(
        member, "services.create", {"name": "Cleaning", "duration_minutes": 30, "price": "45.00", "currency": "EUR"}
    )
    if connector:
        made = await call(
            member, "connectors.create", {"config": {"type": "calendly", "scheduling_url": "https://calendly.com/acme"}}
        )
        await call(member, "connectors.activate", {"id": made["id"]})
    started = await call(product.client(), "chat.start", {"handle": "acme-dental"})
    return member, started


def visitor(started: dict, **more: Any) -> dict:
    return {"conversation_id": started["conversation_id"], "token": started["token"], **more}


async def stored_replies(product: ProductHarness) -> list[Any]:
    return await product.t.db.owner.fetch("SELECT * FROM messages WHERE role = 'assistant' ORDER BY created_at")


async def test_start_by_handle_and_post(product: ProductHarness) -> None:
    _, started = await open_chat(product)
    assert started["workspace"] == {
        "handle": "acme-dental",
        "moved": False,
        "display_name": "Acme Dental",
        "tagline": "",
    }
    client = product.client()
    posted = await call(client, "chat.post", visitor(started, content="Are you open on Saturday?"))
    assert (posted["role"], posted["content"]) == ("visitor", "Are you open on Saturday?")
    listed = await call(client, "chat.messages", visitor(started))
    assert (listed["status"], [m["id"] for m in listed["messages"]]) == ("open", [posted["id"]])
    assert (await call(client, "chat.messages", visitor(started, after=posted["id"])))["messages"] == []
    stored = await product.t.db.owner.fetchrow("SELECT visitor_token_hash FROM conversations")
    assert stored is not None
    assert started["token"].encode() not in bytes(stored["visitor_token_hash"])  # only the hash is kept


async def test_an_old_handle_still_leads_to_the_workspace(product: ProductHarness) -> None:
    member, _ = await open_chat(product)
    await call(member, "workspaces.update", {"handle": "acme-smiles"})
    found = await call(product.client(), "chat.workspace", {"handle": "acme-dental"})
    assert (found["handle"], found["moved"]) == ("acme-smiles", True)
    assert (await call(product.client(), "chat.start", {"handle": "acme-dental"}))["workspace"]["moved"] is True
    missing = await call(product.client(), "chat.workspace", {"handle": "nobody-here"}, 404)
    assert missing["error"]["code"] == "workspace_not_found"


async def test_a_token_opens_only_its_own_conversation(product: ProductHarness) -> None:
    _, mine = await open_chat(product)
    theirs = await call(product.client(), "chat.start", {"handle": "acme-dental"})
    crossed = {"conversation_id": theirs["conversation_id"], "token": mine["token"], "content": "hi"}
    for route in ("chat.post", "chat.messages"):
        body = crossed if route == "chat.post" else {k: v for k, v in crossed.items() if k != "content"}
        assert (await call(product.client(), route, body, 404))["error"]["code"] == "conversation_not_found"
    refused = await product.client().post("/rpc/chat.reply", json=visitor(theirs, token=mine["token"]))
    assert events(refused) == [
        ("error", {"error": {"code": "conversation_not_found", "message": "no such conversation"}})
    ]


async def test_limits_on_messages(product: ProductHarness) -> None:
    member, started = await open_chat(product)
    client = product.client()
    too_long = await call(client, "chat.post", visitor(started, content="x" * 2001), 400)
    assert too_long["error"]["code"] == "invalid_input"
    await call(member, "conversations.close", {"id": started["conversation_id"]})
    closed = await call(client, "chat.post", visitor(started, content="hello?"), 409)
    assert closed["error"]["code"] == "conversation_closed"


async def test_posts_per_visitor_token_are_limited(product: ProductHarness) -> None:
    _, started = await open_chat(product)
    client = product.client()
    for n in range(30):
        await call(client, "chat.post", visitor(started, content=f"message {n}"))
    limited = await client.post("/rpc/chat.post", json=visitor(started, content="one more"))
    assert limited.status_code == 429 and limited.headers["retry-after"]
    # Another visitor from the same address is not affected.
    other = await call(client, "chat.start", {"handle": "acme-dental"})
    await call(client, "chat.post", visitor(other, content="hello"))


async def test_reading_messages_is_limited_per_token_and_paged(product: ProductHarness) -> None:
    _, started = await open_chat(product)
    client = product.client()
    for n in range(MESSAGES_PER_PAGE + 5):
        await product.t.db.owner.execute(
            "INSERT INTO messages (org_id, conversation_id, role, content, created_at)"
            " SELECT org_id, id, 'visitor', $2, $3 FROM conversations WHERE id = $1",
            started["conversation_id"],
            f"message {n}",
            product.t.clock.now() + dt.timedelta(milliseconds=n),
        )
    read = {"conversation_id": started["conversation_id"], "token": started["token"]}
    page = await call(client, "chat.messages", read)
    assert len(page["messages"]) == MESSAGES_PER_PAGE  # a page is bounded, whatever the conversation holds
    for _ in range(READ_PER_TOKEN.max_hits - 1):
        await call(client, "chat.messages", read)
    limited = await client.post("/rpc/chat.messages", json=read)
    assert limited.status_code == 429 and limited.headers["retry-after"]


async def test_the_reply_streams_in_order_and_is_stored_as_the_deltas_joined(
    product: ProductHarness, fake_openai: FakeOpenAI
) -> None:
    _, started = await open_chat(product)
    client = product.client()
    await call(client, "chat.post", visitor(started, content="When are you open?"))
    fake_openai.reply(REPLY, chunk_size=5)

    response = await client.post("/rpc/chat.reply", json=visitor(started))

    assert response.headers["content-type"] == "text/event-stream"
    got = events(response)
    kinds = [k for k, _ in got]
    assert kinds[0] == "message_start" and kinds[-1] == "message_end"
    assert set(kinds[1:-1]) == {"delta"} and len(kinds) - 2 == -(-len(REPLY) // 5)
    assert got[0][1]["conversation_id"] == started["conversation_id"]
    text = "".join(d["text"] for k, d in got if k == "delta")
    assert text == REPLY
    (stored,) = await stored_replies(product)
    assert (stored["id"], stored["content"]) == (got[-1][1]["message_id"], REPLY)
    # The model saw the workspace's prompt and the visitor's message, and was offered both tools.
    sent = fake_openai.completions()[-1].json()
    system = sent["messages"][0]["content"]
    assert "Acme Dental" in system and "Cleaning: 30 min, 45.00 EUR" in system and "Open 9-5" in system
    assert "as few words as possible" in system  # the concise tone
    assert sent["messages"][-1] == {"role": "user", "content": "When are you open?"}
    assert [t["function"]["name"] for t in sent["tools"]] == ["list_services", "get_booking_link"]
    listed = await call(client, "chat.messages", visitor(started))
    assert [m["role"] for m in listed["messages"]] == ["visitor", "assistant"]
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM chat_streams") == 0


async def test_tool_calls_are_streamed_answered_and_stored_with_the_reply(
    product: ProductHarness, fake_openai: FakeOpenAI
) -> None:
    _, started = await open_chat(product)
    client = product.client()
    await call(client, "chat.post", visitor(started, content="Can I book a cleaning?"))
    fake_openai.reply(tool_calls=[FakeToolCall("get_booking_link", '{"service": "Cleaning"}', id="call_book")])
    fake_openai.reply("Book here: https://calendly.com/acme")

    got = events(await client.post("/rpc/chat.reply", json=visitor(started)))

    kinds = [k for k, _ in got]
    assert kinds[:3] == ["message_start", "tool_call", "tool_result"] and kinds[-1] == "message_end"
    assert got[1][1] == {
        "type": "tool_call",
        "id": "call_book",
        "name": "get_booking_link",
        "arguments": '{"service": "Cleaning"}',
    }
    assert json.loads(got[2][1]["result"]) == {"url": "https://calendly.com/acme"}
    text = "".join(d["text"] for k, d in got if k == "delta")
    assert text == "Book here: https://calendly.com/acme"
    # The tool's answer went back to the model as a tool message.
    second = fake_openai.completions()[-1].json()["messages"]
    assert second[-1] == {"role": "tool", "content": got[2][1]["result"], "tool_call_id": "call_book"}
    (stored,) = await stored_replies(product)
    assert stored["content"] == text
    assert json.loads(stored["tool_calls"]) == [
        {"name": "get_booking_link", "arguments": '{"service": "Cleaning"}', "result": got[2][1]["result"]}
    ]


async def test_list_services_tool_and_no_connector(product: ProductHarness, fake_openai: FakeOpenAI) -> None:
    _, started = await open_chat(product, connector=False)
    fake_openai.reply(tool_calls=[FakeToolCall("list_services", "{}"), FakeToolCall("get_booking_link", "{}")])
    fake_openai.reply("We offer cleaning.")
    got = events(await product.client().post("/rpc/chat.reply", json=visitor(started)))
    results = [json.loads(d["result"]) for k, d in got if k == "tool_result"]
    assert results == [
        {
            "services": [
                {"name": "Cleaning", "description": "", "duration_minutes": 30, "price": "45.00", "currency": "EUR"}
            ]
        },
        {"error": "online booking is not available"},
    ]


async def test_a_provider_error_mid_stream_ends_with_an_error_and_stores_nothing(
    product: ProductHarness, fake_openai: FakeOpenAI
) -> None:
    _, started = await open_chat(product)
    fake_openai.reply(REPLY, chunk_size=5, error_after_chunks=2)

    got = events(await product.client().post("/rpc/chat.reply", json=visitor(started)))

    assert [k for k, _ in got] == ["message_start", "delta", "delta", "error"]
    assert got[-1][1]["error"]["code"] == "assistant_unavailable"
    assert await stored_replies(product) == []
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM chat_streams") == 0


async def test_a_provider_429_is_a_rate_limited_error_event(product: ProductHarness, fake_openai: FakeOpenAI) -> None:
    _, started = await open_chat(product)
    fake_openai.fail_next(429, retry_after=120)

    got = events(await product.client().post("/rpc/chat.reply", json=visitor(started)))

    assert [k for k, _ in got] == ["message_start", "error"]
    assert got[-1][1]["error"]["code"] == "rate_limited"
    assert got[-1][1]["error"]["retry_after_seconds"] == 120
    assert await stored_replies(product) == []


async def test_a_visitor_who_leaves_cancels_the_reply_and_nothing_is_stored(
    product: ProductHarness, fake_openai: FakeOpenAI
) -> None:
    _, started = await open_chat(product)
    fake_openai.reply(REPLY, stall_after_first_chunk=5.0)
    sent: list[bytes] = []
    first_event = asyncio.Event()
    body = json.dumps(visitor(started)).encode()
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": body, "more_body": False}
        await first_event.wait()  # the visitor leaves once the reply has begun...
        while not fake_openai.completions():  # noqa: ASYNC110 (...and the provider is generating it)
            await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            sent.append(message["body"])
            first_event.set()

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/rpc/chat.reply",
        "headers": [(b"content-type", b"application/json"), (b"host", b"product.test")],
        "client": ("127.0.0.1", 40000),
        "scheme": "https",
        "query_string": b"",
    }
    await asyncio.wait_for(product.app(scope, receive, send), timeout=4)  # well before the stall ends

    assert len(sent) == 1 and b"message_start" in sent[0]
    assert len(fake_openai.completions()) == 1  # generation had begun
    assert await stored_replies(product) == []
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM chat_streams") == 0


async def test_concurrent_streams_per_workspace_are_capped(product: ProductHarness) -> None:
    _, started = await open_chat(product)
    product.services.chat_streams_per_workspace = 0
    got = events(await product.client().post("/rpc/chat.reply", json=visitor(started)))
    assert got == [
        ("error", {"error": {"code": "too_many_streams", "message": "too many replies in progress; try again shortly"}})
    ]


async def test_idempotent_posts_retried_in_sequence(product: ProductHarness) -> None:
    _, started = await open_chat(product)
    client = product.client()
    body = visitor(started, content="Hello")
    key = {"idempotency-key": "c3f1a6d2-retry-1"}
    first = await client.post("/rpc/chat.post", json=body, headers=key)
    again = await client.post("/rpc/chat.post", json=body, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM messages") == 1
    other = await client.post("/rpc/chat.post", json=visitor(started, content="Something else"), headers=key)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    fresh = await client.post("/rpc/chat.post", json=body, headers={"idempotency-key": "another-key"})
    assert fresh.json()["id"] != first.json()["id"]
    bad = await client.post("/rpc/chat.post", json=body, headers={"idempotency-key": "has space"})
    assert bad.status_code == 400


async def test_idempotent_posts_retried_concurrently_run_once(product: ProductHarness) -> None:
    _, started = await open_chat(product)
    client = product.client()
    body = visitor(started, content="Hello")
    answers = await asyncio.gather(
        *(client.post("/rpc/chat.post", json=body, headers={"idempotency-key": "same-key"}) for _ in range(6))
    )
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 5
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM messages") == 1


async def test_a_failed_request_leaves_its_key_free(product: ProductHarness) -> None:
    member, started = await open_chat(product)
    client = product.client()
    await call(member, "conversations.close", {"id": started["conversation_id"]})
    key = {"idempotency-key": "k-1"}
    body = visitor(started, content="Hello")
    assert (await client.post("/rpc/chat.post", json=body, headers=key)).status_code == 409
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM idempotency_keys") == 0


async def test_a_reply_is_bounded_in_tokens_and_tool_calls(product: ProductHarness, fake_openai: FakeOpenAI) -> None:
    # An anonymous visitor's reply must not run up the business's bill without bound.
    _, started = await open_chat(product)
    client = product.client()
    await call(client, "chat.post", visitor(started, content="Book everything"))
    many = [FakeToolCall("list_services", "{}", id=f"call_{n}") for n in range(9)]
    fake_openai.reply(tool_calls=many)
    fake_openai.reply("Done")

    got = events(await client.post("/rpc/chat.reply", json=visitor(started)))

    assert [k for k, _ in got].count("tool_result") == MAX_TOOL_CALLS_PER_ROUND
    assert all(r.json()["max_tokens"] == MAX_REPLY_TOKENS for r in fake_openai.completions())
