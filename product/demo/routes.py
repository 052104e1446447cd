"""Example routes that exercise every wire type; living documentation for the RPC layer.

They are a router of their own, served by the product app in development and tests only (one
streams for minutes, all are public): never in production. Their contract and TypeScript client
are generated apart (`product/demo/contract.json`, `frontend/src/generated/demo.ts`), so the
product's client lists only what production serves."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from database import queries
from foundation.errors import Conflict
from foundation.rpc import AnonymousReq, Empty, OrgReq, Req, Router

router = Router("demo")

# No whitespace or control character (the class spells out where Python's and JavaScript's `\s`
# differ; `$(?!\n)` is the end of the text in both): the server and the schema agree.
_EMAIL_PART = r"[^@\s\x00-\x1f\x7f\x85\ufeff]+"
Email = Annotated[str, msgspec.Meta(pattern=rf"^{_EMAIL_PART}@{_EMAIL_PART}$(?!\n)", max_length=320)]


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Point(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    x: int
    y: int


class Circle(msgspec.Struct, frozen=True, tag="circle", forbid_unknown_fields=True):
    radius: float


class Square(msgspec.Struct, frozen=True, tag="square", forbid_unknown_fields=True):
    side: float


class Everything(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Every type that must cross the wire unchanged."""

    text: str
    count: int
    ratio: float
    flag: bool
    point: Point
    points: list[Point]
    labels: dict[str, int]
    size: Literal["s", "m", "l"]
    color: Color
    shape: Circle | Square
    when: Annotated[dt.datetime, msgspec.Meta(tz=True)]  # RFC 3339 with an offset, as the schema says
    day: dt.date
    price: Decimal
    token: uuid.UUID
    note: str | None = None
    tags: list[str] = msgspec.field(default_factory=list)
    # Tri-state for partial updates: absent = leave unchanged, null = clear, value = set.
    nickname: str | msgspec.UnsetType | None = msgspec.UNSET


class EchoOut(msgspec.Struct, frozen=True):
    echo: Everything
    nickname_state: Literal["absent", "null", "set"]


@router.route("demo.echo")
async def echo(req: AnonymousReq[Everything]) -> EchoOut:
    """Return the input unchanged, and say which of the three nickname states arrived."""
    nickname = req.body.nickname
    state = "absent" if nickname is msgspec.UNSET else "null" if nickname is None else "set"
    return EchoOut(echo=req.body, nickname_state=state)


class Ping(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    message: Annotated[str, msgspec.Meta(max_length=100)]


class Pong(msgspec.Struct, frozen=True):
    message: str


@router.route("demo.ping", read_only=True)
async def ping(req: AnonymousReq[Ping]) -> Pong:
    """The smallest useful route: decode, validate, encode."""
    return Pong(message=req.body.message)


class TeamMember(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    role: Literal["owner", "admin", "member"] = "member"


class TeamInviteIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    team: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    members: Annotated[list[TeamMember], msgspec.Meta(min_length=1)]


class TeamInviteOut(msgspec.Struct, frozen=True):
    invited: int


class SeatsExhausted(Conflict):
    """More members than the plan's seats."""

    code = "seats_exhausted"

    class Fields(msgspec.Struct, frozen=True):
        seats: int


SEATS = 3


@router.route("demo.invite", errors=[SeatsExhausted])
async def invite(req: Req[TeamInviteIn]) -> TeamInviteOut:
    """Validation with paths (`members[1].email`) and a declared error with typed fields."""
    if len(req.body.members) > SEATS:
        raise SeatsExhausted(f"the plan has {SEATS} seats", seats=SEATS)
    return TeamInviteOut(invited=len(req.body.members))


class CountIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    to: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    interval_ms: Annotated[int, msgspec.Meta(ge=0, le=5000)] = 0


class Tick(msgspec.Struct, frozen=True):
    n: int


class StreamStats(msgspec.Struct, frozen=True):
    cancelled: int


_stream_stats = {"cancelled": 0}


@router.route("demo.count")
async def count(req: Req[CountIn]) -> AsyncIterator[Tick]:
    """A Server-Sent Events stream of ticks; a client disconnect cancels it (counted)."""
    try:
        for n in range(1, req.body.to + 1):
            yield Tick(n=n)
            await asyncio.sleep(req.body.interval_ms / 1000)
    except asyncio.CancelledError:
        _stream_stats["cancelled"] += 1
        raise


@router.route("demo.stream_stats", read_only=True)
async def stream_stats(req: Req[Empty]) -> StreamStats:
    """How many streams clients have cancelled since the server started."""
    return StreamStats(cancelled=_stream_stats["cancelled"])


class NoteCount(msgspec.Struct, frozen=True):
    org_id: str
    notes: int


@router.route("demo.note_count", read_only=True)
async def note_count(req: OrgReq[Empty]) -> NoteCount:
    """Count the active organization's notes through RLS, in the request's tenant transaction."""
    row = await queries.count_org_notes(req.db)
    assert row is not None  # count(*) always returns a row
    return NoteCount(org_id=req.principal.org_id, notes=row.notes)
