"""The workspace's conversations as its members see them: list (filtered, keyset-paginated),
read with messages, tag, close, and stats."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec

from foundation.errors import NotFound
from product.conversations import queries
from product.rpc import OrgReq, router
from product.workspaces.routes import ensure_workspace

ConversationId = Annotated[str, msgspec.Meta(pattern=r"^cnv_[0-9a-z]{26}$")]
Channel = Literal["web", "widget", "api"]
Tag = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)]
PAGE_SIZE = 50
MINUTES_SAVED_PER_REPLY = 2  # a member's estimated time to write an answer the assistant wrote


class ConversationNotFound(NotFound):
    code = "conversation_not_found"


class ToolCallOut(msgspec.Struct, frozen=True):
    name: str
    arguments: str  # JSON text, as the model wrote it
    result: str  # JSON text, as the tool answered


class MessageOut(msgspec.Struct, frozen=True):
    id: str
    role: Literal["visitor", "assistant"]
    content: str
    tool_calls: list[ToolCallOut]
    created_at: dt.datetime


def message_out(row: Any) -> MessageOut:
    calls = msgspec.convert(row.tool_calls, list[ToolCallOut])
    return MessageOut(row.id, row.role, row.content, calls, row.created_at)


class ConversationOut(msgspec.Struct, frozen=True):
    id: str
    channel: Channel
    status: Literal["open", "closed"]
    tags: list[str]
    created_at: dt.datetime
    closed_at: dt.datetime | None


class ConversationSummary(msgspec.Struct, frozen=True):
    id: str
    channel: Channel
    status: Literal["open", "closed"]
    tags: list[str]
    created_at: dt.datetime
    closed_at: dt.datetime | None
    message_count: int


class ListIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    channel: Channel | None = None
    tag: Tag | None = None
    since: dt.date | None = None  # created on or after this day (UTC)
    until: dt.date | None = None  # created before this day (UTC)
    cursor: ConversationId | None = None  # `next_cursor` of the page before
    limit: Annotated[int, msgspec.Meta(ge=1, le=200)] = PAGE_SIZE


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), dt.UTC)


class ConversationsOut(msgspec.Struct, frozen=True):
    conversations: list[ConversationSummary]
    next_cursor: str | None  # None: this was the last page


@router.route("conversations.list", read_only=True)
async def list_conversations(req: OrgReq[ListIn]) -> ConversationsOut:
    """The workspace's conversations, newest first, a page at a time."""
    body = req.body
    workspace = await ensure_workspace(req)
    rows = await queries.list_conversations(
        req.db,
        workspace_id=workspace.id,
        channel=body.channel,
        tag=body.tag,
        since=_midnight(body.since),
        until=_midnight(body.until),
        after=body.cursor,
        max_rows=body.limit + 1,
    )
    page = rows[: body.limit]
    items = [
        ConversationSummary(r.id, r.channel, r.status, r.tags, r.created_at, r.closed_at, r.message_count) for r in page
    ]
    return ConversationsOut(items, page[-1].id if len(rows) > body.limit else None)


class ConversationIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: ConversationId


# A conversation's page shows its newest messages: a visitor can add thousands a day.
MESSAGES_SHOWN = 500


class ConversationWithMessages(msgspec.Struct, frozen=True):
    conversation: ConversationOut
    messages: list[MessageOut]  # the newest MESSAGES_SHOWN (500), oldest first
    earlier_omitted: bool = False  # older messages exist beyond those


def conversation_out(row: Any) -> ConversationOut:
    return ConversationOut(row.id, row.channel, row.status, row.tags, row.created_at, row.closed_at)


@router.route("conversations.get", read_only=True, errors=[ConversationNotFound])
async def get_conversation(req: OrgReq[ConversationIdIn]) -> ConversationWithMessages:
    """One conversation with its newest 500 messages, oldest first."""
    workspace = await ensure_workspace(req)
    row = await queries.get_conversation(req.db, id=req.body.id, workspace_id=workspace.id)
    if row is None:
        raise ConversationNotFound("no such conversation")
    rows = await queries.list_messages(req.db, conversation_id=row.id, max_rows=MESSAGES_SHOWN + 1)
    omitted = len(rows) > MESSAGES_SHOWN  # one more than shown was asked for: the oldest is beyond
    messages = [message_out(m) for m in (rows[1:] if omitted else rows)]
    return ConversationWithMessages(conversation_out(row), messages, earlier_omitted=omitted)


class TagIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: ConversationId
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)]


@router.route("conversations.tag", errors=[ConversationNotFound])
async def tag_conversation(req: OrgReq[TagIn]) -> ConversationOut:
    """Replace a conversation's tags (duplicates dropped, order kept)."""
    workspace = await ensure_workspace(req)
    tags = list(dict.fromkeys(req.body.tags))
    row = await queries.set_tags(req.db, tags=tags, id=req.body.id, workspace_id=workspace.id)
    if row is None:
        raise ConversationNotFound("no such conversation")
    return conversation_out(row)


@router.route("conversations.close", errors=[ConversationNotFound])
async def close_conversation(req: OrgReq[ConversationIdIn]) -> ConversationOut:
    """Close a conversation: its visitor can read it but no longer post."""
    workspace = await ensure_workspace(req)
    row = await queries.close_conversation(
        req.db, id=req.body.id, workspace_id=workspace.id, now=req.services.clock.now()
    )
    if row is None:
        raise ConversationNotFound("no such conversation")
    return conversation_out(row)


class StatsIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    days: Annotated[int, msgspec.Meta(ge=1, le=366)] = 30


class DayCount(msgspec.Struct, frozen=True):
    day: dt.date  # in the workspace's time zone
    conversations: int


class StatsOut(msgspec.Struct, frozen=True):
    timezone: str
    per_day: list[DayCount]
    visitor_messages: int
    assistant_messages: int
    estimated_minutes_saved: int  # MINUTES_SAVED_PER_REPLY per assistant reply


@router.route("conversations.stats", read_only=True)
async def stats(req: OrgReq[StatsIn]) -> StatsOut:
    """Conversations per day (in the workspace's time zone), messages, and estimated minutes saved,
    over the last `days` days."""
    workspace = await ensure_workspace(req)
    since = req.services.clock.now() - dt.timedelta(days=req.body.days)
    per_day = await queries.conversations_per_day(
        req.db, timezone=workspace.timezone, workspace_id=workspace.id, since=since
    )
    counts = await queries.message_counts(req.db, workspace_id=workspace.id, since=since)
    visitor, assistant = (counts.visitor, counts.assistant) if counts else (0, 0)
    return StatsOut(
        timezone=workspace.timezone,
        per_day=[DayCount(r.day, r.conversations) for r in per_day],
        visitor_messages=visitor,
        assistant_messages=assistant,
        estimated_minutes_saved=assistant * MINUTES_SAVED_PER_REPLY,
    )
