"""The audit log view: every chain's entries, newest first, filtered, a page at a time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from panopticon.audit import queries
from panopticon.audit.entries import AuditEntryOut, entry_out
from panopticon.ids import ActorId, AuditId, PageSize
from panopticon.rpc import AdminReq, router

Action = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", max_length=100)]
Target = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Time = Annotated[dt.datetime, msgspec.Meta(tz=True)]


class AuditListIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    actor: ActorId | None = None  # who acted (a user or administrator), or was acted as
    target: Target | None = None  # the id acted on
    action: Action | None = None  # such as "users.disable"
    since: Time | None = None  # entries at or after
    until: Time | None = None  # entries before
    cursor: AuditId | None = None  # `next_cursor` of the page before
    limit: PageSize = 50


class AuditPageOut(msgspec.Struct, frozen=True):
    entries: list[AuditEntryOut]
    next_cursor: str | None  # None: this was the last page


@router.route("audit.list", read_only=True, role="viewer")
async def list_audit(req: AdminReq[AuditListIn]) -> AuditPageOut:
    """Audit entries of every organization, account and administrator, newest first."""
    b = req.body
    rows = await queries.list_audit(
        req.db,
        cursor=b.cursor,
        actor=b.actor,
        target=b.target,
        action=b.action,
        since=b.since,
        until=b.until,
        max_rows=b.limit + 1,
    )
    entries = [entry_out(r) for r in rows[: b.limit]]
    return AuditPageOut(entries=entries, next_cursor=entries[-1].id if len(rows) > b.limit else None)
