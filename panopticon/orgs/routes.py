"""An organization's page (members and roles, pending invitations, recent audit entries) and the
operator's actions on it: remove a member, cancel an invitation, transfer ownership, delete it
(typed confirmation: its name). Every action locks the organization's row first, as the
product's do, so changes of its members take turns; the database keeps an owner in every
organization (migration 0005's trigger), whatever the interleaving. Each action's audit row goes
to the organization's own chain, with the administrator as actor and their reason."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
import msgspec

from foundation.errors import BlossomError, Conflict, NotFound
from foundation.rpc import Empty
from panopticon.audit.entries import AuditEntryOut, entry_out
from panopticon.audit.queries import entries_about
from panopticon.audit.record import record_action
from panopticon.ids import InviteId, OrgId, Reason, UserId
from panopticon.orgs import queries
from panopticon.rpc import AdminReq, router

RECENT_ENTRIES = 20
OWNER_RULE = "memberships_org_keeps_an_owner"  # the trigger's constraint name (migration 0005)
ConfirmName = Annotated[str, msgspec.Meta(max_length=200)]  # an organization's name is 1 to 200 characters


class OrgNotFound(NotFound):
    code = "org_not_found"


class MemberNotFound(NotFound):
    code = "member_not_found"


class InviteNotFound(NotFound):
    code = "invite_not_found"


class LastOwner(Conflict):
    """An organization always keeps at least one owner."""

    code = "last_owner"


class ConfirmationMismatch(BlossomError):
    """`confirm_name` is not the organization's name."""

    code = "confirmation_mismatch"
    status = 400


class OrgPageIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    org_id: OrgId


class OrgDetailOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    created_at: dt.datetime


class OrgMemberOut(msgspec.Struct, frozen=True):
    membership_id: str
    user_id: str
    email: str
    display_name: str
    role: str  # owner, admin or member
    disabled: bool  # the account is disabled
    joined_at: dt.datetime


class PendingInviteOut(msgspec.Struct, frozen=True):
    id: str
    email: str
    role: str
    invited_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime


class OrgPage(msgspec.Struct, frozen=True):
    org: OrgDetailOut
    members: list[OrgMemberOut]
    invites: list[PendingInviteOut]  # pending
    audit: list[AuditEntryOut]  # the organization's newest entries


@router.route("orgs.get", read_only=True, role="viewer", errors=[OrgNotFound])
async def get_org(req: AdminReq[OrgPageIn]) -> OrgPage:
    """An organization's members and roles, pending invitations and recent audit entries."""
    org = await queries.get_org(req.db, id=req.body.org_id)
    if org is None:
        raise OrgNotFound("no such organization")
    members = await queries.org_members(req.db, org_id=org.id)
    invites = await queries.pending_invites(req.db, org_id=org.id)
    entries = await entries_about(req.db, subject=org.id, max_rows=RECENT_ENTRIES)
    return OrgPage(
        org=OrgDetailOut(id=org.id, name=org.name, created_at=org.created_at),
        members=[
            OrgMemberOut(
                membership_id=m.id,
                user_id=m.user_id,
                email=m.email,
                display_name=m.display_name,
                role=m.role,
                disabled=m.disabled_at is not None,
                joined_at=m.created_at,
            )
            for m in members
        ],
        invites=[
            PendingInviteOut(
                id=i.id,
                email=i.email,
                role=i.role,
                invited_by=i.invited_by,
                created_at=i.created_at,
                expires_at=i.expires_at,
            )
            for i in invites
        ],
        audit=[entry_out(e) for e in entries],
    )


async def _lock(req: AdminReq[Any], org_id: str) -> None:
    locked = await queries.lock_org(req.db, id=org_id)
    if locked is None or not locked.found:
        raise OrgNotFound("no such organization")


async def _membership(req: AdminReq[Any], org_id: str, user_id: str) -> queries.MembershipOfRow:
    member = await queries.membership_of(req.db, org_id=org_id, user_id=user_id)
    if member is None:
        raise MemberNotFound("no such member of this organization")
    return member


@contextlib.asynccontextmanager
async def _owner_rule() -> AsyncIterator[None]:
    try:
        yield
    except asyncpg.CheckViolationError as error:
        if error.constraint_name == OWNER_RULE:
            raise LastOwner("an organization needs at least one owner") from None
        raise


class OrgMemberIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    org_id: OrgId
    user_id: UserId
    reason: Reason


@router.route("orgs.members.remove", role="operator", errors=[OrgNotFound, MemberNotFound, LastOwner])
async def remove_member(req: AdminReq[OrgMemberIn]) -> Empty:
    """Remove a member from the organization (not its last owner)."""
    b = req.body
    await _lock(req, b.org_id)
    member = await _membership(req, b.org_id, b.user_id)
    async with _owner_rule():
        await queries.remove_member(req.db, org_id=b.org_id, user_id=b.user_id)
    before = {"user_id": b.user_id, "role": member.role, "membership_id": member.id}
    await record_action(req, "orgs.members.remove", chain=b.org_id, target=b.user_id, reason=b.reason, before=before)
    return Empty()


class OrgInviteIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    org_id: OrgId
    invite_id: InviteId
    reason: Reason


@router.route("orgs.invites.cancel", role="operator", errors=[OrgNotFound, InviteNotFound])
async def cancel_invite(req: AdminReq[OrgInviteIn]) -> Empty:
    """Cancel a pending invitation of the organization."""
    b = req.body
    await _lock(req, b.org_id)
    cancelled = await queries.cancel_invite(req.db, org_id=b.org_id, id=b.invite_id)
    if cancelled is None:
        raise InviteNotFound("no such pending invitation of this organization")
    before = {"email": cancelled.email, "role": cancelled.role, "status": "pending"}
    await record_action(
        req,
        "orgs.invites.cancel",
        chain=b.org_id,
        target=b.invite_id,
        reason=b.reason,
        before=before,
        after={"status": "cancelled"},
    )
    return Empty()


class TransferOut(msgspec.Struct, frozen=True):
    owner: str  # the user id of the organization's owner now
    demoted: list[str]  # the former owners, now admins


@router.route("orgs.ownership.transfer", role="operator", errors=[OrgNotFound, MemberNotFound, LastOwner])
async def transfer_ownership(req: AdminReq[OrgMemberIn]) -> TransferOut:
    """Make a member the organization's owner; every other owner becomes an admin."""
    b = req.body
    await _lock(req, b.org_id)
    member = await _membership(req, b.org_id, b.user_id)
    async with _owner_rule():
        await queries.make_owner(req.db, org_id=b.org_id, user_id=b.user_id)
        demoted = [r.user_id for r in await queries.demote_other_owners(req.db, org_id=b.org_id, user_id=b.user_id)]
    before = {"owners": ",".join(sorted([*demoted, *([b.user_id] if member.role == "owner" else [])]))}
    await record_action(
        req,
        "orgs.ownership.transfer",
        chain=b.org_id,
        target=b.user_id,
        reason=b.reason,
        before=before,
        after={"owner": b.user_id},
    )
    return TransferOut(owner=b.user_id, demoted=sorted(demoted))


class OrgDeleteIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    org_id: OrgId
    confirm_name: ConfirmName  # must equal the organization's name, exactly
    reason: Reason


@router.route("orgs.delete", role="operator", errors=[OrgNotFound, ConfirmationMismatch])
async def delete_org(req: AdminReq[OrgDeleteIn]) -> Empty:
    """Delete the organization and everything in it. `confirm_name` must be its name."""
    b = req.body
    await _lock(req, b.org_id)
    org = await queries.get_org(req.db, id=b.org_id)
    if org is None:
        raise OrgNotFound("no such organization")
    if b.confirm_name != org.name:
        raise ConfirmationMismatch("confirm_name is not the organization's name")
    await queries.delete_org(req.db, id=org.id)
    # The org's chain outlives it (the log has no foreign keys): its last row says who deleted it.
    before = {"name": org.name}
    await record_action(req, "orgs.delete", chain=org.id, target=org.id, reason=b.reason, before=before)
    return Empty()
