"""A user's page (profile, organizations and roles, active sessions, recent audit entries) and
the support actions on an account: revoke sessions, disable and re-enable, resend the
verification mail, send a password reset. Each action writes its audit row (the `account`
chain, the administrator as actor, their reason) in its own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec

from database import audit
from foundation.errors import Conflict, NotFound
from panopticon.audit.entries import AuditEntryOut, entry_out
from panopticon.audit.queries import entries_about
from panopticon.audit.record import record_action
from panopticon.ids import Reason, SessionId, UserId
from panopticon.rpc import AdminReq, router
from panopticon.users import queries

RECENT_ENTRIES = 20
# The product's outbox jobs (product/accounts/reset.py, product/accounts/verification.py): the
# product's worker handles them; tools/support_mail_test.py proves it end to end.
RESET_REQUESTED = "password_reset_requested"  # {email}
VERIFICATION_REQUESTED = "email_verification_requested"  # {user_id}


class UserNotFound(NotFound):
    code = "user_not_found"


class SessionNotFound(NotFound):
    code = "session_not_found"


class AlreadyVerified(Conflict):
    """The account's email is already verified: there is nothing to resend."""

    code = "already_verified"


class UserPageIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    user_id: UserId


class UserOut(msgspec.Struct, frozen=True):
    id: str
    email: str
    display_name: str
    verified: bool
    email_verified_at: dt.datetime | None
    disabled: bool
    disabled_at: dt.datetime | None
    created_at: dt.datetime


class UserOrgOut(msgspec.Struct, frozen=True):
    org_id: str
    name: str
    role: str  # owner, admin or member
    joined_at: dt.datetime


class UserSessionOut(msgspec.Struct, frozen=True):
    id: str
    active_org_id: str | None
    user_agent: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime


class UserPage(msgspec.Struct, frozen=True):
    user: UserOut
    orgs: list[UserOrgOut]
    sessions: list[UserSessionOut]  # unexpired, most recently used first
    audit: list[AuditEntryOut]  # the newest entries naming the user, as target or actor


def _user_out(u: queries.GetUserRow | queries.LockUserRow, disabled_at: dt.datetime | None) -> UserOut:
    return UserOut(
        id=u.id,
        email=u.email,
        display_name=u.display_name,
        verified=u.email_verified_at is not None,
        email_verified_at=u.email_verified_at,
        disabled=disabled_at is not None,
        disabled_at=disabled_at,
        created_at=u.created_at,
    )


@router.route("users.get", read_only=True, role="viewer", errors=[UserNotFound])
async def get_user(req: AdminReq[UserPageIn]) -> UserPage:
    """A user's profile, organizations and roles, active sessions and recent audit entries."""
    user_id = req.body.user_id
    user = await queries.get_user(req.db, id=user_id)
    if user is None:
        raise UserNotFound("no such user")
    orgs = await queries.user_orgs(req.db, user_id=user_id)
    sessions = await queries.active_sessions(req.db, user_id=user_id, now=req.services.clock.now())
    entries = await entries_about(req.db, subject=user_id, max_rows=RECENT_ENTRIES)
    return UserPage(
        user=_user_out(user, user.disabled_at),
        orgs=[UserOrgOut(org_id=o.org_id, name=o.name, role=o.role, joined_at=o.created_at) for o in orgs],
        sessions=[
            UserSessionOut(
                id=s.id,
                active_org_id=s.active_org_id,
                user_agent=s.user_agent,
                created_at=s.created_at,
                last_seen_at=s.last_seen_at,
                expires_at=s.expires_at,
            )
            for s in sessions
        ],
        audit=[entry_out(e) for e in entries],
    )


async def _locked_user(req: AdminReq[Any], user_id: str) -> queries.LockUserRow:
    user = await queries.lock_user(req.db, id=user_id)
    if user is None:
        raise UserNotFound("no such user")
    return user


class UserRevokeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    user_id: UserId
    session_id: SessionId | None = None  # absent: every session of the user
    reason: Reason | None = None


class SessionsRevoked(msgspec.Struct, frozen=True):
    revoked: int  # sessions ended


@router.route("users.sessions.revoke", role="support", errors=[UserNotFound, SessionNotFound])
async def revoke_sessions(req: AdminReq[UserRevokeIn]) -> SessionsRevoked:
    """End one session of the user, or all of them when `session_id` is absent."""
    b = req.body
    await _locked_user(req, b.user_id)
    if b.session_id is not None:
        revoked = await queries.revoke_session(req.db, id=b.session_id, user_id=b.user_id)
        if revoked == 0:
            raise SessionNotFound("no such session of this user")
    else:
        revoked = await queries.revoke_all_sessions(req.db, user_id=b.user_id)
    after = {"session_id": b.session_id, "sessions_ended": revoked}
    await record_action(
        req, "users.sessions.revoke", chain=audit.ACCOUNT, target=b.user_id, reason=b.reason, after=after
    )
    return SessionsRevoked(revoked=revoked)


class UserReasonIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    user_id: UserId
    reason: Reason


@router.route("users.disable", role="operator", errors=[UserNotFound])
async def disable(req: AdminReq[UserReasonIn]) -> UserOut:
    """Disable the account: it cannot log in, and every session of it ends now."""
    user = await _locked_user(req, req.body.user_id)
    disabled_at = user.disabled_at or req.services.clock.now()
    if user.disabled_at is None:
        await queries.set_disabled(req.db, id=user.id, disabled_at=disabled_at)
    ended = await queries.revoke_all_sessions(req.db, user_id=user.id)
    before = {"disabled": user.disabled_at is not None}
    after = {"disabled": True, "sessions_ended": ended}
    await record_action(
        req, "users.disable", chain=audit.ACCOUNT, target=user.id, reason=req.body.reason, before=before, after=after
    )
    return _user_out(user, disabled_at)


@router.route("users.enable", role="operator", errors=[UserNotFound])
async def enable(req: AdminReq[UserReasonIn]) -> UserOut:
    """Re-enable a disabled account (it logs in again; its ended sessions stay ended)."""
    user = await _locked_user(req, req.body.user_id)
    if user.disabled_at is not None:
        await queries.set_disabled(req.db, id=user.id, disabled_at=None)
    before, after = {"disabled": user.disabled_at is not None}, {"disabled": False}
    await record_action(
        req, "users.enable", chain=audit.ACCOUNT, target=user.id, reason=req.body.reason, before=before, after=after
    )
    return _user_out(user, None)


class UserMailIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    user_id: UserId
    reason: Reason | None = None


class MailQueued(msgspec.Struct, frozen=True):
    """The mail is queued: the product's outbox worker sends it after this commit."""

    status: Literal["queued"] = "queued"


@router.route("users.verification.resend", role="support", errors=[UserNotFound, AlreadyVerified])
async def resend_verification(req: AdminReq[UserMailIn]) -> MailQueued:
    """Mail the user a new email-verification code (unless their email is already verified)."""
    user = await _locked_user(req, req.body.user_id)
    if user.email_verified_at is not None:
        raise AlreadyVerified("this account's email is already verified")
    await queries.enqueue_account_mail(
        req.db, kind=VERIFICATION_REQUESTED, user_id=user.id, now=req.services.clock.now()
    )
    await record_action(req, "users.verification.resend", chain=audit.ACCOUNT, target=user.id, reason=req.body.reason)
    return MailQueued()


@router.route("users.password_reset.send", role="support", errors=[UserNotFound])
async def send_password_reset(req: AdminReq[UserMailIn]) -> MailQueued:
    """Mail the user a password-reset code (replacing any open one), as if they had asked."""
    user = await _locked_user(req, req.body.user_id)
    await queries.enqueue_account_mail(req.db, kind=RESET_REQUESTED, user_id=user.id, now=req.services.clock.now())
    await record_action(req, "users.password_reset.send", chain=audit.ACCOUNT, target=user.id, reason=req.body.reason)
    return MailQueued()
