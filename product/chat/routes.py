"""The public chat: anonymous visitors find a workspace by its handle, start a conversation (and
get the token that alone opens it), post messages, read them, and stream the assistant's reply.

A visitor has no tenant context: the handle, or the conversation id with the token's hash, is
looked up by a SECURITY DEFINER function, which names the organization; the handler then acts in
that organization's context under RLS. README.md has the streaming design."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import msgspec

from database.tx import change_context
from foundation.crypto import new_token, token_digest
from foundation.errors import BlossomError, Conflict, NotFound, RateLimited
from foundation.external.errors import ExternalError, ExternalRateLimited
from foundation.external.openai import ChatMessage, ChatRequest, ToolCall
from foundation.logging import get_logger
from foundation.rate_limits import Limit
from product.accounts import rate_limit
from product.chat import assistant, queries
from product.conversations.routes import Channel, ConversationId, MessageOut, message_out
from product.rpc import AnonymousReq, router
from product.workspaces import queries as workspace_queries
from product.workspaces.routes import Handle

log = get_logger("blossom.chat")

VisitorToken = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]
MessageId = Annotated[str, msgspec.Meta(pattern=r"^msg_[0-9a-z]{26}$")]
MESSAGE_LIMIT = 2000  # characters in a visitor's message
MessageText = Annotated[str, msgspec.Meta(min_length=1, max_length=MESSAGE_LIMIT)]
# What one reply may cost: tokens per model call, and tool calls answered per round (each result
# goes back to the model and into the stored reply).
MAX_REPLY_TOKENS = 800
MAX_TOOL_CALLS_PER_ROUND = 4
MAX_TOOL_ROUNDS = 3  # model calls per reply: tool answers go back to the model at most twice
STREAM_LEASE = dt.timedelta(minutes=5)  # a stream slot left by a process that died is free after this

START_PER_ADDRESS = Limit("chat:start:address", 30, dt.timedelta(hours=1))
POST_PER_TOKEN = Limit("chat:post:token", 30, dt.timedelta(minutes=10))
POST_PER_ADDRESS = Limit("chat:post:address", 300, dt.timedelta(minutes=10))
REPLY_PER_TOKEN = Limit("chat:reply:token", 30, dt.timedelta(minutes=10))
REPLY_PER_ADDRESS = Limit("chat:reply:address", 300, dt.timedelta(minutes=10))
# Reading is cheaper than posting but not free: a page is up to 50 messages of 2,000 characters.
READ_PER_TOKEN = Limit("chat:read:token", 300, dt.timedelta(minutes=10))
READ_PER_ADDRESS = Limit("chat:read:address", 1200, dt.timedelta(minutes=10))
MESSAGES_PER_PAGE = 50


class WorkspaceNotFound(NotFound):
    code = "workspace_not_found"


class ConversationNotFound(NotFound):
    """No conversation with this id opens with this token."""

    code = "conversation_not_found"


class ConversationClosed(Conflict):
    code = "conversation_closed"


class TooManyStreams(BlossomError):
    """The workspace is answering as many visitors as it may at once: try again shortly."""

    code = "too_many_streams"
    status = 429


class AssistantUnavailable(BlossomError):
    """The language model could not answer (unreachable, failed mid-reply, or refused)."""

    code = "assistant_unavailable"
    status = 502


# --- finding a workspace and starting ----------------------------------------------------------------


class HandleIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    handle: Handle


class PublicWorkspace(msgspec.Struct, frozen=True):
    handle: str  # the current one: differs from the one asked for when it moved (redirect to it)
    moved: bool
    display_name: str
    tagline: str


async def _workspace_for(req: AnonymousReq[Any], handle: str) -> tuple[str, str, PublicWorkspace]:
    """(workspace id, org id, public view), in the workspace's organization's context from here on."""
    found = await workspace_queries.workspace_for_handle(req.db, handle=handle, now=req.services.clock.now())
    if found is None:
        raise WorkspaceNotFound("no workspace with this handle")
    await change_context(await req.db.connection(), org_id=found.org_id)
    workspace = await workspace_queries.get_workspace(req.db, org_id=found.org_id)
    assert workspace is not None
    public = PublicWorkspace(workspace.handle, workspace.handle != handle, workspace.display_name, workspace.tagline)
    return found.workspace_id, found.org_id, public


@router.route("chat.workspace", read_only=True, errors=[WorkspaceNotFound])
async def public_workspace(req: AnonymousReq[HandleIn]) -> PublicWorkspace:
    """A workspace's public face by handle; an old handle answers with the current one (`moved`)."""
    return (await _workspace_for(req, req.body.handle))[2]


class StartIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    handle: Handle
    channel: Channel = "web"


class Started(msgspec.Struct, frozen=True):
    conversation_id: str
    token: str  # the visitor's key to this conversation: shown once, only its hash is kept
    workspace: PublicWorkspace


@router.route("chat.start", errors=[WorkspaceNotFound])
async def start(req: AnonymousReq[StartIn]) -> Started:
    """Start a conversation with a workspace's assistant."""
    await rate_limit.hit(req, START_PER_ADDRESS, rate_limit.address_of(req))
    workspace_id, org_id, public = await _workspace_for(req, req.body.handle)
    token = new_token()
    row = await queries.insert_conversation(
        req.db,
        org_id=org_id,
        workspace_id=workspace_id,
        channel=req.body.channel,
        token_hash=token_digest(token),
        now=req.services.clock.now(),
    )
    assert row is not None
    return Started(row.id, token, public)


# --- a visitor's conversation ------------------------------------------------------------------------


async def _visitor_conversation(req: AnonymousReq[Any], conversation_id: str, token: str) -> Any:
    """The conversation the token opens, in its organization's context from here on."""
    found = await queries.visitor_conversation(req.db, conversation_id=conversation_id, token_hash=token_digest(token))
    if found is None:
        raise ConversationNotFound("no such conversation")
    await change_context(await req.db.connection(), org_id=found.org_id)
    return found


async def _hit_both(req: AnonymousReq[Any], per_token: Limit, per_address: Limit, token: str) -> None:
    # The token's hash, so the bucket's subject is not the credential itself.
    await rate_limit.hit(req, per_address, rate_limit.address_of(req))
    await rate_limit.hit(req, per_token, token_digest(token).hex())


class PostIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    conversation_id: ConversationId
    token: VisitorToken
    content: MessageText


@router.route("chat.post", idempotent=True, errors=[ConversationNotFound, ConversationClosed])
async def post(req: AnonymousReq[PostIn]) -> MessageOut:
    """Post the visitor's message (send an Idempotency-Key to retry safely)."""
    body = req.body
    await _hit_both(req, POST_PER_TOKEN, POST_PER_ADDRESS, body.token)
    found = await _visitor_conversation(req, body.conversation_id, body.token)
    if found.status != "open":
        raise ConversationClosed("this conversation is closed")
    row = await queries.insert_visitor_message(
        req.db, conversation_id=found.conversation_id, content=body.content, now=req.services.clock.now()
    )
    if row is None:  # closed between the two statements
        raise ConversationClosed("this conversation is closed")
    return message_out(row)


class MessagesIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    conversation_id: ConversationId
    token: VisitorToken
    after: MessageId | None = None  # the last message the visitor has; None: from the start


class MessagesOut(msgspec.Struct, frozen=True):
    status: Literal["open", "closed"]
    messages: list[MessageOut]  # oldest first, at most 50: ask again after the last for more


@router.route("chat.messages", errors=[ConversationNotFound])
async def messages(req: AnonymousReq[MessagesIn]) -> MessagesOut:
    """The conversation's messages after a cursor (POST only: the token stays out of URLs)."""
    body = req.body
    await _hit_both(req, READ_PER_TOKEN, READ_PER_ADDRESS, body.token)
    found = await _visitor_conversation(req, body.conversation_id, body.token)
    rows = await queries.messages_since(
        req.db, conversation_id=found.conversation_id, after=body.after, max_rows=MESSAGES_PER_PAGE
    )
    return MessagesOut(found.status, [message_out(r) for r in rows])


# --- the streamed reply ------------------------------------------------------------------------------


class MessageStart(msgspec.Struct, frozen=True, tag="message_start", tag_field="type"):
    conversation_id: str


class Delta(msgspec.Struct, frozen=True, tag="delta", tag_field="type"):
    text: str


class ToolCallEvent(msgspec.Struct, frozen=True, tag="tool_call", tag_field="type"):
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it


class ToolResultEvent(msgspec.Struct, frozen=True, tag="tool_result", tag_field="type"):
    id: str
    name: str
    result: str  # JSON text


class MessageEnd(msgspec.Struct, frozen=True, tag="message_end", tag_field="type"):
    message_id: str  # the stored reply


ChatEvent = MessageStart | Delta | ToolCallEvent | ToolResultEvent | MessageEnd


class ReplyIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    conversation_id: ConversationId
    token: VisitorToken


async def _take_slot(req: AnonymousReq[ReplyIn]) -> tuple[Any, str, assistant.Context, list[ChatMessage]]:
    """One short transaction: the conversation, a stream slot (under the workspace's row lock,
    so the cap holds across processes), and what the reply needs."""
    body = req.body
    now = req.services.clock.now()
    async with req.db.transaction() as conn:
        found = await queries.visitor_conversation(
            conn, conversation_id=body.conversation_id, token_hash=token_digest(body.token)
        )
        if found is None:
            raise ConversationNotFound("no such conversation")
        await change_context(conn, org_id=found.org_id)
        if found.status != "open":
            raise ConversationClosed("this conversation is closed")
        workspace = await workspace_queries.get_workspace(conn, org_id=found.org_id)
        assert workspace is not None
        services = await workspace_queries.list_active_services(conn, workspace_id=workspace.id)
        connector = await workspace_queries.active_connector(conn, workspace_id=workspace.id)
        recent = await queries.recent_messages(
            conn, conversation_id=found.conversation_id, max_rows=assistant.HISTORY_MESSAGES
        )
        # Last, so the workspace's lock is held for as few statements as possible before the commit.
        await workspace_queries.lock_workspace(conn, org_id=found.org_id)
        await queries.prune_streams(conn, workspace_id=found.workspace_id, now=now)
        live = await queries.live_streams(conn, workspace_id=found.workspace_id, now=now)
        if live is not None and live.live >= req.services.chat_streams_per_workspace:
            raise TooManyStreams("too many replies in progress; try again shortly")
        slot = await queries.insert_stream(
            conn,
            org_id=found.org_id,
            workspace_id=found.workspace_id,
            conversation_id=found.conversation_id,
            now=now,
            expires_at=now + STREAM_LEASE,
        )
        assert slot is not None
    return found, slot.id, assistant.context_of(workspace, services, connector), assistant.history(recent)


async def _release_slot(req: AnonymousReq[ReplyIn], org_id: str, slot_id: str) -> None:
    """Give the slot back, also when the visitor left (the slot's lease frees it otherwise)."""
    with contextlib.suppress(Exception):
        async with req.db.transaction() as conn:
            await change_context(conn, org_id=org_id)
            await queries.delete_stream(conn, id=slot_id)


@router.route("chat.reply", errors=[ConversationNotFound, ConversationClosed, TooManyStreams, AssistantUnavailable])
async def reply(req: AnonymousReq[ReplyIn]) -> AsyncIterator[ChatEvent]:
    """Stream the assistant's answer to the conversation so far: `message_start`, `delta`s (and
    `tool_call` / `tool_result` pairs), then `message_end` with the stored message's id. The reply
    is stored only when it is complete; a visitor who leaves mid-stream cancels it, and nothing
    of it is stored."""
    await _hit_both(req, REPLY_PER_TOKEN, REPLY_PER_ADDRESS, req.body.token)
    found, slot_id, context, past = await _take_slot(req)
    try:
        yield MessageStart(found.conversation_id)
        messages: list[ChatMessage] = [ChatMessage(role="system", content=assistant.system_prompt(context)), *past]
        text: list[str] = []
        calls: list[Any] = []
        llm = req.services.openai
        for round_number in range(MAX_TOOL_ROUNDS):
            tools = assistant.TOOLS if round_number < MAX_TOOL_ROUNDS - 1 else ()
            said: list[str] = []
            asked: tuple[ToolCall, ...] = ()
            try:
                request = ChatRequest(messages=messages, tools=tools, max_tokens=MAX_REPLY_TOKENS)
                async for delta in llm.stream(request):
                    if delta.text:
                        said.append(delta.text)
                        yield Delta(delta.text)
                    if delta.finish_reason is not None:
                        asked = delta.tool_calls
            except ExternalRateLimited as error:
                wait = math.ceil(error.retry_after) if error.retry_after else 30
                log.info("assistant_rate_limited", retry_after=wait)
                raise RateLimited("the assistant is busy; try again later", retry_after_seconds=wait) from None
            except ExternalError as error:
                log.info("assistant_unavailable", error=type(error).__name__, detail=str(error)[:200])
                raise AssistantUnavailable("the assistant could not answer; try again") from None
            text += said
            if not asked:
                break
            asked = asked[:MAX_TOOL_CALLS_PER_ROUND]  # a model asking for hundreds is answered for a few
            messages.append(ChatMessage(role="assistant", content="".join(said) or None, tool_calls=asked))
            for call in asked:
                yield ToolCallEvent(call.id, call.name, call.arguments)
                result = assistant.run_tool(call, context)
                yield ToolResultEvent(call.id, call.name, result)
                calls.append({"name": call.name, "arguments": call.arguments, "result": result})
                messages.append(ChatMessage(role="tool", content=result, tool_call_id=call.id))
        # The whole reply and its tool calls, in one transaction, only now that it is complete.
        async with req.db.transaction() as conn:
            await change_context(conn, org_id=found.org_id)
            stored = await queries.insert_assistant_message(
                conn,
                org_id=found.org_id,
                conversation_id=found.conversation_id,
                content="".join(text)[:20000],
                tool_calls=calls,
                now=req.services.clock.now(),
            )
            assert stored is not None
            await queries.delete_stream(conn, id=slot_id)
        slot_id = ""
        yield MessageEnd(stored.id)
    finally:
        if slot_id:
            await asyncio.shield(_release_slot(req, found.org_id, slot_id))
