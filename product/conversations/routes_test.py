"""The members' side of conversations over HTTP."""

from __future__ import annotations

import datetime as dt

from foundation.testing.fakes.openai import FakeOpenAI
from product.conversations.routes import MESSAGES_SHOWN
from product.testing import ProductHarness
from product.workspaces.routes_test import call, member_client


async def test_list_filter_paginate_read_tag_close_and_stats(product: ProductHarness, fake_openai: FakeOpenAI) -> None:
    member = await member_client(product, "Acme")
    await call(member, "workspaces.update", {"timezone": "America/New_York"})
    visitor = product.client()
    started = []
    for n in range(5):
        started.append(await call(visitor, "chat.start", {"handle": "acme", "channel": "widget" if n % 2 else "web"}))
        product.t.clock.advance(seconds=60)
    first = started[0]
    await call(
        visitor, "chat.post", {"conversation_id": first["conversation_id"], "token": first["token"], "content": "Hi"}
    )
    fake_openai.reply("Hello there")
    await visitor.post("/rpc/chat.reply", json={"conversation_id": first["conversation_id"], "token": first["token"]})

    page = await call(member, "conversations.list", {"limit": 2})
    ids = [c["id"] for c in page["conversations"]]
    assert ids == [started[4]["conversation_id"], started[3]["conversation_id"]]
    seen = list(ids)
    while page["next_cursor"]:
        page = await call(member, "conversations.list", {"limit": 2, "cursor": page["next_cursor"]})
        seen += [c["id"] for c in page["conversations"]]
    assert seen == [s["conversation_id"] for s in reversed(started)]
    widget = await call(member, "conversations.list", {"channel": "widget"})
    assert {c["id"] for c in widget["conversations"]} == {started[1]["conversation_id"], started[3]["conversation_id"]}
    today = product.t.clock.now().date()
    assert len((await call(member, "conversations.list", {"since": today.isoformat()}))["conversations"]) == 5
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert (await call(member, "conversations.list", {"since": tomorrow}))["conversations"] == []
    assert len((await call(member, "conversations.list", {"until": tomorrow}))["conversations"]) == 5

    read = await call(member, "conversations.get", {"id": first["conversation_id"]})
    assert [(m["role"], m["content"]) for m in read["messages"]] == [("visitor", "Hi"), ("assistant", "Hello there")]
    tagged = await call(member, "conversations.tag", {"id": first["conversation_id"], "tags": ["lead", "vip", "lead"]})
    assert tagged["tags"] == ["lead", "vip"]
    assert [c["id"] for c in (await call(member, "conversations.list", {"tag": "vip"}))["conversations"]] == [
        first["conversation_id"]
    ]
    closed = await call(member, "conversations.close", {"id": first["conversation_id"]})
    assert closed["status"] == "closed" and closed["closed_at"]

    stats = await call(member, "conversations.stats", {"days": 7})
    assert stats["timezone"] == "America/New_York"
    assert sum(d["conversations"] for d in stats["per_day"]) == 5
    assert (stats["visitor_messages"], stats["assistant_messages"], stats["estimated_minutes_saved"]) == (1, 1, 2)


async def test_another_orgs_conversation_is_not_found(product: ProductHarness) -> None:
    await call(await member_client(product, "Acme"), "workspaces.get_mine")
    theirs = await call(product.client(), "chat.start", {"handle": "acme"})
    other = await member_client(product, "Other")
    for route in ("conversations.get", "conversations.close"):
        missing = await call(other, route, {"id": theirs["conversation_id"]}, 404)
        assert missing["error"]["code"] == "conversation_not_found"


async def test_a_conversation_shows_its_newest_messages_and_says_older_ones_exist(product: ProductHarness) -> None:
    # A visitor can add thousands of messages a day: the members' page stays bounded.
    member = await member_client(product)
    handle = (await call(member, "workspaces.get_mine", {}))["handle"]
    started = await call(product.client(), "chat.start", {"handle": handle})
    await product.t.db.owner.execute(
        "INSERT INTO messages (org_id, conversation_id, role, content, created_at)"
        " SELECT org_id, id, 'visitor', 'message ' || n, $2::timestamptz + n * interval '1 millisecond'"
        " FROM conversations, generate_series(1, $3) n WHERE id = $1",
        started["conversation_id"],
        product.t.clock.now(),
        MESSAGES_SHOWN + 3,
    )
    read = await call(member, "conversations.get", {"id": started["conversation_id"]})
    assert len(read["messages"]) == MESSAGES_SHOWN and read["earlier_omitted"] is True
    assert (
        read["messages"][0]["content"] == "message 4"
        and read["messages"][-1]["content"] == f"message {MESSAGES_SHOWN + 3}"
    )
