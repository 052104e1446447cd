"""What the assistant knows and can do: the system prompt built from the workspace (tone,
knowledge base, active services, connector), the two tools the model may call, and the model's
context from the conversation's recent messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from foundation.external.openai import ChatMessage, Tool, ToolCall
from product.workspaces import queries as workspace_queries
from product.workspaces.routes import booking_link, decode_config

TONES = {
    "professional": "Write in a courteous, professional register.",
    "friendly": "Write warmly and simply, like a helpful receptionist.",
    "concise": "Answer in as few words as possible; no small talk.",
}
HISTORY_MESSAGES = 20  # the conversation's last messages the model sees

TOOLS = (
    Tool(
        name="list_services",
        description="The services the business offers, with duration in minutes and price.",
        parameters={"type": "object", "properties": {}, "additionalProperties": False},
    ),
    Tool(
        name="get_booking_link",
        description="The link where the visitor books an appointment.",
        parameters={
            "type": "object",
            "properties": {"service": {"type": "string", "description": "the service's name, if known"}},
            "additionalProperties": False,
        },
    ),
)


class ServiceInfo(msgspec.Struct, frozen=True):
    name: str
    description: str
    duration_minutes: int
    price: str
    currency: str


@dataclass(frozen=True)
class Context:
    """Everything a reply needs from the database, read in one short transaction."""

    display_name: str
    tone: str
    knowledge_base: str
    tagline: str
    services: tuple[ServiceInfo, ...]
    booking_url: str | None


def context_of(
    workspace: workspace_queries.GetWorkspaceRow,
    services: Sequence[workspace_queries.Service],
    connector: workspace_queries.Connector | None,
) -> Context:
    return Context(
        display_name=workspace.display_name,
        tone=workspace.tone,
        knowledge_base=workspace.knowledge_base,
        tagline=workspace.tagline,
        services=tuple(
            ServiceInfo(s.name, s.description, s.duration_minutes, str(s.price), s.currency) for s in services
        ),
        booking_url=booking_link(decode_config(connector.config)) if connector is not None else None,
    )


def system_prompt(context: Context) -> str:
    lines = [
        f"You are the assistant of {context.display_name}" + (f" ({context.tagline})." if context.tagline else "."),
        "You answer visitors of its website about the business and help them book.",
        TONES.get(context.tone, TONES["friendly"]),
        "Only state facts found below or returned by your tools; if you do not know, say so.",
    ]
    if context.services:
        lines.append("Services offered:")
        lines += [
            f"- {s.name}: {s.duration_minutes} min, {s.price} {s.currency}. {s.description}" for s in context.services
        ]
    else:
        lines.append("No services are listed yet.")
    if context.booking_url:
        lines.append("Visitors can book online: call get_booking_link for the link.")
    else:
        lines.append("Online booking is not available; suggest contacting the business.")
    if context.knowledge_base:
        lines += ["Knowledge base:", context.knowledge_base]
    return "\n".join(lines)


def run_tool(call: ToolCall, context: Context) -> str:
    """The tool's answer as JSON text (an unknown tool or bad arguments is an error the model reads)."""
    if call.name == "list_services":
        return msgspec.json.encode({"services": list(context.services)}).decode()
    if call.name == "get_booking_link":
        if context.booking_url is None:
            return '{"error": "online booking is not available"}'
        return msgspec.json.encode({"url": context.booking_url}).decode()
    return msgspec.json.encode({"error": f"no tool named {call.name}"}).decode()


def history(rows: Sequence[Any]) -> list[ChatMessage]:
    """The model's view of recent messages (`rows` newest first, as queried): visitor messages as
    the user's, replies as the assistant's (their tool calls are summed up in the text)."""
    return [
        ChatMessage(role="user" if r.role == "visitor" else "assistant", content=r.content)
        for r in reversed(rows)
        if r.content
    ]
