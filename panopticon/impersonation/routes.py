"""Impersonation: an administrator opens a product session as a user, to see what they see.

`impersonation.start` (support; `writes=true` needs operator) checks the target (a user who is
not an administrator: no user whose email is an administrator's), records the impersonation with
its reason and end (at most 60 minutes), and returns a one-time code (stored hashed, good for
5 minutes and once) that the administrator's browser redeems in the product
(`auth.impersonation.redeem`), which opens the marked session. `impersonation.end` ends it at
once (its product session is deleted); it also ends by itself at its expiry (the session's own
expiry is the impersonation's). One open impersonation per user at a time (the database's unique
index decides between racing starts). Start and end are audited on the admin chain."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated

import msgspec

from database import audit
from foundation.crypto import token_digest
from foundation.errors import BlossomError, Conflict, NotFound
from foundation.ids import new_id
from foundation.rpc import Empty
from panopticon.impersonation import queries
from panopticon.rpc import AdminReq, router

CODE_LIFETIME = dt.timedelta(minutes=5)
MAX_MINUTES = 60
LIST_LIMIT = 500

UserId = Annotated[str, msgspec.Meta(pattern=r"^usr_[0-9a-hjkmnp-tv-z]{26}$")]
ImpersonationId = Annotated[str, msgspec.Meta(pattern=r"^imp_[0-9a-hjkmnp-tv-z]{26}$")]
# Non-blank too (`BlankReason`: no schema pattern states "not only whitespace" the same way in
# Python and JavaScript).
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=MAX_MINUTES)]


class BlankReason(BlossomError):
    """The reason is only whitespace: say why you impersonate."""

    code = "blank_reason"
    status = 400

    class Fields(msgspec.Struct, frozen=True):
        field: str


class UserNotFound(NotFound):
    code = "user_not_found"


class CannotImpersonateAdmin(BlossomError):
    """The user's email is an administrator's: an administrator's own customer account is never
    impersonated (administrators are never the target of another's impersonation)."""

    code = "cannot_impersonate_admin"
    status = 403


class UserDisabled(BlossomError):
    """The user's account is disabled: nobody acts as them, not even an administrator."""

    code = "user_disabled"
    status = 403


class WritesNeedOperator(BlossomError):
    """`writes=true` needs the operator role or above; support may impersonate read-only."""

    code = "writes_need_operator"
    status = 403

    class Fields(msgspec.Struct, frozen=True):
        required_role: str


class ImpersonationActive(Conflict):
    """The user has an open impersonation already (end it first)."""

    code = "impersonation_active"


class ImpersonationNotFound(NotFound):
    """No open impersonation with that id (unknown, ended, or expired)."""

    code = "impersonation_not_found"


class StartIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    user_id: UserId
    reason: Reason
    minutes: Minutes
    writes: bool = False


class Started(msgspec.Struct, frozen=True):
    impersonation_id: str
    user_id: str
    read_only: bool
    expires_at: dt.datetime
    code: str  # redeem once in the product: POST /rpc/auth.impersonation.redeem {"code": ...}
    code_expires_at: dt.datetime


@router.route(
    "impersonation.start",
    role="support",
    errors=[BlankReason, UserNotFound, CannotImpersonateAdmin, UserDisabled, WritesNeedOperator, ImpersonationActive],
)
async def start(req: AdminReq[StartIn]) -> Started:
    """Start impersonating a user: a one-time code that opens a product session as them."""
    body = req.body
    if body.writes and req.principal.role not in ("operator", "owner"):
        # The denied attempt is audited in a short transaction of its own (the request's rolls back).
        async with req.db.transaction() as conn:
            await audit.record(
                conn,
                chain=audit.ADMIN,
                actor=audit.Actor(admin_id=req.principal.admin_id),
                action="impersonation.denied",
                target=body.user_id,
                request_id=req.request_id,
                client_address=req.client[:100] or None,
                after={"writes": True, "role": req.principal.role, "required_role": "operator"},
                now=req.services.clock.now(),
            )
        raise WritesNeedOperator("impersonating with writes needs the operator role", required_role="operator")
    reason = body.reason.strip()
    if not reason:
        raise BlankReason("the reason must not be blank", field="reason")
    target = await queries.impersonation_target(req.db, user_id=body.user_id)
    if target is None:
        raise UserNotFound("no such user")
    if target.is_admin:
        raise CannotImpersonateAdmin("this user is an administrator: administrators are never impersonated")
    if target.disabled:
        raise UserDisabled("this user is disabled: a disabled account is never impersonated")
    now = req.services.clock.now()
    expires_at = now + dt.timedelta(minutes=body.minutes)
    code = secrets.token_urlsafe(32)
    code_expires_at = min(now + CODE_LIFETIME, expires_at)
    await queries.close_expired_impersonations(req.db, user_id=target.user_id, now=now)
    inserted = await queries.insert_impersonation(
        req.db,
        id=new_id("imp", clock=req.services.clock),
        admin_id=req.principal.admin_id,
        user_id=target.user_id,
        reason=reason,
        writes=body.writes,
        code_hash=token_digest(code),
        code_expires_at=code_expires_at,
        now=now,
        expires_at=expires_at,
    )
    if inserted is None:
        raise ImpersonationActive("this user is being impersonated already: end that impersonation first")
    impersonation_id = inserted.id
    await audit.record(
        req.db,
        chain=audit.ADMIN,
        actor=audit.Actor(admin_id=req.principal.admin_id),
        action="impersonation.start",
        target=target.user_id,
        reason=reason,
        request_id=req.request_id,
        client_address=req.client[:100] or None,
        after={"impersonation_id": impersonation_id, "writes": body.writes, "minutes": body.minutes},
        now=now,
    )
    return Started(
        impersonation_id=impersonation_id,
        user_id=target.user_id,
        read_only=not body.writes,
        expires_at=expires_at,
        code=code,
        code_expires_at=code_expires_at,
    )


class EndIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    impersonation_id: ImpersonationId


class Ended(msgspec.Struct, frozen=True):
    impersonation_id: str
    sessions_ended: int


@router.route("impersonation.end", role="support", errors=[ImpersonationNotFound])
async def end(req: AdminReq[EndIn]) -> Ended:
    """End an impersonation now: its product session ends at once."""
    now = req.services.clock.now()
    ended = await queries.end_impersonation(req.db, id=req.body.impersonation_id, now=now)
    if ended is None:
        raise ImpersonationNotFound("no open impersonation with that id")
    gone = await queries.end_impersonation_sessions(req.db, id=ended.id)
    sessions = gone.ended if gone is not None else 0
    await audit.record(
        req.db,
        chain=audit.ADMIN,
        actor=audit.Actor(admin_id=req.principal.admin_id),
        action="impersonation.end",
        target=ended.user_id,
        request_id=req.request_id,
        client_address=req.client[:100] or None,
        after={"impersonation_id": ended.id, "started_by": ended.admin_id, "sessions_ended": sessions},
        now=now,
    )
    return Ended(impersonation_id=ended.id, sessions_ended=sessions)


class ImpersonationOut(msgspec.Struct, frozen=True):
    id: str
    admin_id: str
    admin_email: str
    user_id: str
    reason: str
    read_only: bool
    created_at: dt.datetime
    expires_at: dt.datetime
    redeemed: bool


class ImpersonationsOut(msgspec.Struct, frozen=True):
    impersonations: list[ImpersonationOut]


@router.route("impersonation.list", role="viewer", read_only=True)
async def list_active(req: AdminReq[Empty]) -> ImpersonationsOut:
    """Open impersonations (not ended, not expired), newest first."""
    rows = await queries.list_active_impersonations(req.db, now=req.services.clock.now(), max_rows=LIST_LIMIT)
    return ImpersonationsOut(
        [
            ImpersonationOut(
                id=r.id,
                admin_id=r.admin_id,
                admin_email=r.admin_email,
                user_id=r.user_id,
                reason=r.reason,
                read_only=not r.writes,
                created_at=r.created_at,
                expires_at=r.expires_at,
                redeemed=r.redeemed_at is not None,
            )
            for r in rows
        ]
    )
