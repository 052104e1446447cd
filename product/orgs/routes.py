"""Organizations and their members: create, list, switch, rename, delete; invite, accept,
decline, cancel; change roles, remove, leave, transfer ownership; the audit log. Every change
writes its audit row in the same transaction (`product.audit`). Permissions: README.md."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import asyncpg
import msgspec

from database.json import encode_json
from database.tx import change_context
from foundation.crypto import new_token, token_digest
from foundation.errors import Conflict, Forbidden, NotFound
from foundation.ids import new_id
from foundation.mail import Message
from foundation.rpc import Empty
from product.accounts import queries as account_queries
from product.accounts.routes import Email, InvalidToken, OrgSummary, Role
from product.audit import audit_event
from product.mail import send_mail
from product.orgs import queries
from product.rpc import OrgReq, UserReq, router

OrgName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
OrgId = Annotated[str, msgspec.Meta(pattern=r"^org_[0-9a-z]{26}$")]
MemberId = Annotated[str, msgspec.Meta(pattern=r"^mem_[0-9a-z]{26}$")]
InviteId = Annotated[str, msgspec.Meta(pattern=r"^inv_[0-9a-z]{26}$")]
InviteToken = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]
INVITE_LIFETIME = dt.timedelta(days=7)

# What each role may do (product/orgs/README.md has the table).
MANAGERS = ("owner", "admin")
OWNER_RULE = "memberships_org_keeps_an_owner"  # the trigger's constraint name (migration 0005)


class LastOwner(Conflict):
    """An organization always keeps at least one owner."""

    code = "last_owner"


class NotPermitted(Forbidden):
    """The caller's role in the organization does not allow this."""

    code = "not_permitted"


class OrgNotFound(NotFound):
    code = "org_not_found"


class MemberNotFound(NotFound):
    code = "member_not_found"


class InviteNotFound(NotFound):
    code = "invite_not_found"


async def _acting_as(req: OrgReq[Any], *roles: str) -> queries.Membership:
    """Lock the organization (changes of its members and roles go one at a time), then read the
    caller's role as it is now: the session's may be stale, the caller demoted or removed by a
    request that just committed. Refused unless that role is one of `roles` (any, if none)."""
    if await queries.lock_org(req.db, id=req.principal.org_id) == 0:
        raise OrgNotFound("no such organization")
    me = await queries.membership_of(req.db, org_id=req.principal.org_id, user_id=req.principal.user_id)
    if me is None:
        raise NotPermitted("you are no longer a member of this organization")
    if roles and me.role not in roles:
        raise NotPermitted(f"this needs the role {' or '.join(roles)}")
    return me


async def _set_context(req: UserReq[Any], *, org_id: str) -> None:
    """Act in another organization than the session's (creating one, accepting an invitation)."""
    await change_context(await req.db.connection(), org_id=org_id)


# --- organizations --------------------------------------------------------------------------------


Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=1, max_length=63)]


class CreateOrgIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: OrgName
    slug: Slug | None = None  # a label of the client's choosing (not unique: the id is the key)


@router.route("orgs.create", api_keys="personal")
async def create_org(req: UserReq[CreateOrgIn]) -> OrgSummary:
    """Create an organization; the creator becomes its owner and it becomes the active one."""
    user_id = req.principal.user_id
    org_id = new_id("org", clock=req.services.clock)
    await _set_context(req, org_id=org_id)
    org = await queries.insert_org(req.db, id=org_id, name=req.body.name, slug=req.body.slug)
    assert org is not None
    await queries.insert_membership(req.db, org_id=org_id, user_id=user_id, role="owner")
    if req.principal.session_id:
        await account_queries.set_session_org(req.db, id=req.principal.session_id, org_id=org_id)
    await audit_event(req, "orgs.create", chain=org_id, target=org_id, after={"name": org.name})
    return OrgSummary(id=org.id, name=org.name, role="owner")


class OrgsOut(msgspec.Struct, frozen=True):
    orgs: list[OrgSummary]


@router.route("orgs.list", read_only=True, api_keys="personal")
async def list_orgs(req: UserReq[Empty]) -> OrgsOut:
    """My organizations and my role in each."""
    rows = await account_queries.my_orgs(req.db, user_id=req.principal.user_id)
    return OrgsOut([OrgSummary(id=r.id, name=r.name, role=r.role) for r in rows])


class OrgIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    org_id: OrgId


@router.route("orgs.switch", errors=[OrgNotFound])
async def switch_org(req: UserReq[OrgIdIn]) -> OrgSummary:
    """Make one of my organizations the active one (kept on the session)."""
    mine = {r.id: r for r in await account_queries.my_orgs(req.db, user_id=req.principal.user_id)}
    org = mine.get(req.body.org_id)
    if org is None:
        raise OrgNotFound("no such organization")
    if req.principal.session_id is not None:
        await account_queries.set_session_org(req.db, id=req.principal.session_id, org_id=org.id)
    return OrgSummary(id=org.id, name=org.name, role=org.role)


class RenameIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: OrgName


@router.route("orgs.rename", errors=[NotPermitted, OrgNotFound], api_keys="personal")
async def rename_org(req: OrgReq[RenameIn]) -> OrgSummary:
    """Rename the active organization (owner or admin)."""
    me = await _acting_as(req, *MANAGERS)
    org = await queries.rename_org(req.db, id=req.principal.org_id, name=req.body.name)
    if org is None:
        raise OrgNotFound("no such organization")
    before, after = {"name": org.old_name}, {"name": org.name}
    await audit_event(req, "orgs.rename", chain=org.id, target=org.id, before=before, after=after)
    return OrgSummary(id=org.id, name=org.name, role=me.role)


@router.route("orgs.delete", errors=[NotPermitted, OrgNotFound], api_keys="personal")
async def delete_org(req: OrgReq[Empty]) -> Empty:
    """Delete the active organization and everything in it (owner only)."""
    await _acting_as(req, "owner")
    org_id = req.principal.org_id
    gone = await queries.delete_org(req.db, id=org_id)
    if gone is None:
        raise OrgNotFound("no such organization")
    # The org's chain outlives it (the log has no foreign keys): its last row says who deleted it.
    await audit_event(req, "orgs.delete", chain=org_id, target=org_id, before={"name": gone.name})
    return Empty()


# --- members ----------------------------------------------------------------------------------------


class MemberOut(msgspec.Struct, frozen=True):
    id: str
    user_id: str
    email: str
    display_name: str
    role: Role
    joined_at: dt.datetime


class InviteOut(msgspec.Struct, frozen=True):
    id: str
    email: str
    role: Role
    expires_at: dt.datetime


class MembersOut(msgspec.Struct, frozen=True):
    members: list[MemberOut]
    invites: list[InviteOut]


@router.route("members.list", read_only=True, api_keys=True)
async def list_members(req: OrgReq[Empty]) -> MembersOut:
    """The active organization's members, and its pending invitations."""
    org_id = req.principal.org_id
    members = [
        MemberOut(
            id=m.id, user_id=m.user_id, email=m.email, display_name=m.display_name, role=m.role, joined_at=m.created_at
        )
        for m in await queries.list_members(req.db, org_id=org_id)
    ]
    invites = [
        InviteOut(id=i.id, email=i.email, role=i.role, expires_at=i.expires_at)
        for i in await queries.list_invites(req.db, org_id=org_id)
    ]
    return MembersOut(members=members, invites=invites)


class InviteIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    role: Literal["admin", "member"] = "member"


@router.route("members.invite", errors=[NotPermitted, OrgNotFound], api_keys=True, impersonation=False)
async def invite_member(req: OrgReq[InviteIn]) -> InviteOut:
    """Invite someone by email with a role; they get a single-use code valid for 7 days."""
    await _acting_as(req, *MANAGERS)
    svc = req.services
    token = new_token()
    now = svc.clock.now()
    invite = await queries.insert_invite(
        req.db,
        org_id=req.principal.org_id,
        email=req.body.email,
        role=req.body.role,
        token_hash=token_digest(token),
        invited_by=req.principal.user_id,
        now=now,
        expires_at=now + INVITE_LIFETIME,
    )
    assert invite is not None
    after = {"email": invite.email, "role": invite.role}
    await audit_event(req, "members.invite", chain=req.principal.org_id, target=invite.id, after=after)
    org = await queries.get_org_name(req.db, id=req.principal.org_id)
    await send_mail(
        req,
        Message(
            to=invite.email,
            subject=f"Join {org.name if org else 'an organization'} on Blossom",
            body=f"Your invitation code: {token}",
        ),
    )
    return InviteOut(id=invite.id, email=invite.email, role=invite.role, expires_at=invite.expires_at)


class InviteTokenIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    token: InviteToken


async def _pending_invite(req: UserReq[InviteTokenIn]) -> queries.InviteForTokenRow:
    svc = req.services
    invite = await queries.invite_for_token(req.db, token_hash=token_digest(req.body.token))
    user = await account_queries.user_id_for_email(req.db, email=invite.email) if invite else None
    if (
        invite is None
        or invite.status != "pending"
        or invite.expires_at <= svc.clock.now()
        or user is None
        or user.user_id != req.principal.user_id
    ):
        raise InvalidToken("this invitation is unknown, used, expired or for another email")
    return invite


@router.route("invites.accept", errors=[InvalidToken])
async def accept_invite(req: UserReq[InviteTokenIn]) -> OrgSummary:
    """Join the organization an invitation (for my email) names, and make it active."""
    invite = await _pending_invite(req)
    await _set_context(req, org_id=invite.org_id)
    # The org's lock first, as every route changing its members takes it: an accept racing the
    # org's deletion, or a second invitation's accept, waits instead of deadlocking or colliding.
    if await queries.lock_org(req.db, id=invite.org_id) == 0:
        raise InvalidToken("this invitation is unknown, used, expired or for another email")
    if await queries.set_invite_status(req.db, id=invite.invite_id, status="accepted") != 1:
        raise InvalidToken("this invitation is unknown, used, expired or for another email")
    existing = await queries.membership_of(req.db, org_id=invite.org_id, user_id=req.principal.user_id)
    role = existing.role if existing else invite.role
    if existing is None:
        await queries.insert_membership(req.db, org_id=invite.org_id, user_id=req.principal.user_id, role=invite.role)
    if req.principal.session_id:
        await account_queries.set_session_org(req.db, id=req.principal.session_id, org_id=invite.org_id)
    org = await queries.get_org_name(req.db, id=invite.org_id)
    if org is None:  # deleted meanwhile
        raise InvalidToken("this invitation is unknown, used, expired or for another email")
    after = {"user_id": req.principal.user_id, "role": role, "joined": existing is None}
    await audit_event(req, "invites.accept", chain=invite.org_id, target=invite.invite_id, after=after)
    return OrgSummary(id=org.id, name=org.name, role=role)


@router.route("invites.decline", errors=[InvalidToken])
async def decline_invite(req: UserReq[InviteTokenIn]) -> Empty:
    """Decline an invitation for my email."""
    invite = await _pending_invite(req)
    await _set_context(req, org_id=invite.org_id)
    if await queries.set_invite_status(req.db, id=invite.invite_id, status="declined") == 1:
        await audit_event(req, "invites.decline", chain=invite.org_id, target=invite.invite_id)
    return Empty()


class InviteIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    invite_id: InviteId


@router.route("invites.cancel", errors=[NotPermitted, InviteNotFound, OrgNotFound], api_keys=True)
async def cancel_invite(req: OrgReq[InviteIdIn]) -> Empty:
    """Cancel a pending invitation of the active organization (owner or admin)."""
    await _acting_as(req, *MANAGERS)
    if await queries.cancel_invite(req.db, id=req.body.invite_id, org_id=req.principal.org_id) == 0:
        raise InviteNotFound("no such pending invitation")
    await audit_event(req, "invites.cancel", chain=req.principal.org_id, target=req.body.invite_id)
    return Empty()


class ChangeRoleIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    member_id: MemberId
    role: Role


async def _member(req: OrgReq[Any], member_id: str) -> queries.Membership:
    member = await queries.get_membership(req.db, id=member_id, org_id=req.principal.org_id)
    if member is None:
        raise MemberNotFound("no such member")
    return member


@contextlib.asynccontextmanager
async def _owner_rule() -> AsyncIterator[None]:
    """The database keeps an owner in every organization (a trigger that locks the org, migration
    0005), whatever the interleaving of concurrent requests; its refusal becomes LastOwner."""
    try:
        yield
    except asyncpg.CheckViolationError as error:
        if error.constraint_name == OWNER_RULE:
            raise LastOwner("an organization needs at least one owner") from None
        raise


@router.route("members.change_role", errors=[NotPermitted, MemberNotFound, LastOwner, OrgNotFound], api_keys=True)
async def change_role(req: OrgReq[ChangeRoleIn]) -> MemberOut:
    """Change a member's role: owners change any role, admins move people between admin and member."""
    me = await _acting_as(req, *MANAGERS)
    member = await _member(req, req.body.member_id)
    if me.role != "owner" and "owner" in (member.role, req.body.role):
        raise NotPermitted("only an owner can grant or take the owner role")
    async with _owner_rule():
        await queries.set_member_role(req.db, id=member.id, org_id=req.principal.org_id, role=req.body.role)
    out = await _member_out(req, member.id)
    before, after = {"user_id": member.user_id, "role": member.role}, {"user_id": member.user_id, "role": out.role}
    await audit_event(
        req, "members.change_role", chain=req.principal.org_id, target=member.id, before=before, after=after
    )
    return out


async def _member_out(req: OrgReq[Any], member_id: str) -> MemberOut:
    for m in await queries.list_members(req.db, org_id=req.principal.org_id):
        if m.id == member_id:
            return MemberOut(
                id=m.id,
                user_id=m.user_id,
                email=m.email,
                display_name=m.display_name,
                role=m.role,
                joined_at=m.created_at,
            )
    raise MemberNotFound("no such member")


class MemberIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    member_id: MemberId


@router.route("members.remove", errors=[NotPermitted, MemberNotFound, LastOwner, OrgNotFound], api_keys=True)
async def remove_member(req: OrgReq[MemberIdIn]) -> Empty:
    """Remove a member (owner; admins remove admins and members, not owners)."""
    me = await _acting_as(req, *MANAGERS)
    member = await _member(req, req.body.member_id)
    if member.role == "owner" and me.role != "owner":
        raise NotPermitted("only an owner can remove an owner")
    async with _owner_rule():
        await queries.delete_membership(req.db, id=member.id, org_id=req.principal.org_id)
    before = {"user_id": member.user_id, "role": member.role}
    await audit_event(req, "members.remove", chain=req.principal.org_id, target=member.id, before=before)
    return Empty()


@router.route("members.leave", errors=[LastOwner, MemberNotFound, NotPermitted, OrgNotFound])
async def leave(req: OrgReq[Empty]) -> Empty:
    """Leave the active organization (the last owner cannot)."""
    member = await _acting_as(req)
    async with _owner_rule():
        await queries.delete_membership(req.db, id=member.id, org_id=req.principal.org_id)
    if req.principal.session_id:
        await account_queries.set_session_org(req.db, id=req.principal.session_id, org_id=None)
    before = {"user_id": member.user_id, "role": member.role}
    await audit_event(req, "members.leave", chain=req.principal.org_id, target=member.id, before=before)
    return Empty()


@router.route(
    "orgs.transfer_ownership", errors=[NotPermitted, MemberNotFound, LastOwner, OrgNotFound], impersonation=False
)
async def transfer_ownership(req: OrgReq[MemberIdIn]) -> MemberOut:
    """Make another member the owner; the current owner becomes an admin (owner only)."""
    me = await _acting_as(req, "owner")
    member = await _member(req, req.body.member_id)
    async with _owner_rule():  # the new owner may have left meanwhile
        await queries.set_member_role(req.db, id=member.id, org_id=req.principal.org_id, role="owner")
        if me.id != member.id:
            await queries.set_member_role(req.db, id=me.id, org_id=req.principal.org_id, role="admin")
    out = await _member_out(req, member.id)
    before, after = {"owner": me.user_id}, {"owner": member.user_id}
    await audit_event(
        req, "orgs.transfer_ownership", chain=req.principal.org_id, target=member.id, before=before, after=after
    )
    return out


# --- the audit log ----------------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 50
# A summary as the client sees it: flat values (a nested one, which product never writes, arrives
# as its JSON text), so the type stays one a client can switch over.
Summary = dict[str, str | int | float | bool | None]


class AuditListIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    cursor: Annotated[int, msgspec.Meta(ge=1, le=2**53 - 1)] | None = None  # `next_cursor` of the page before
    limit: Annotated[int, msgspec.Meta(ge=1, le=200)] = AUDIT_PAGE_SIZE


class AuditEntryOut(msgspec.Struct, frozen=True):
    seq: int  # the entry's position in the organization's chain
    id: str
    at: dt.datetime
    actor_user_id: str | None
    actor_admin_id: str | None  # a Blossom administrator (support), when one acted
    acting_as_user_id: str | None  # the user an administrator acted as
    action: str  # the route that acted, such as "orgs.rename"
    target: str | None  # the id of what it acted on
    reason: str | None
    request_id: str | None
    client_address: str | None
    before: Summary | None
    after: Summary | None


class AuditPageOut(msgspec.Struct, frozen=True):
    entries: list[AuditEntryOut]
    next_cursor: int | None  # None: this was the last page


def _summary(value: object) -> Summary | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        return {"value": encode_json(value)}
    return {
        str(k): v if v is None or isinstance(v, str | int | float | bool) else encode_json(v) for k, v in value.items()
    }


@router.route("orgs.audit.list", read_only=True, errors=[NotPermitted])
async def list_audit(req: OrgReq[AuditListIn]) -> AuditPageOut:
    """The active organization's audit log, newest first, a page at a time (owner or admin)."""
    org_id = req.principal.org_id
    me = await queries.membership_of(req.db, org_id=org_id, user_id=req.principal.user_id)
    if me is None or me.role not in MANAGERS:  # the role now, not the session's
        raise NotPermitted(f"this needs the role {' or '.join(MANAGERS)}")
    limit = req.body.limit
    rows = await queries.list_org_audit(req.db, org_id=org_id, before_seq=req.body.cursor, max_rows=limit + 1)
    page = rows[:limit]
    entries = [
        AuditEntryOut(
            seq=r.seq,
            id=r.id,
            at=r.at,
            actor_user_id=r.actor_user_id,
            actor_admin_id=r.actor_admin_id,
            acting_as_user_id=r.acting_as_user_id,
            action=r.action,
            target=r.target,
            reason=r.reason,
            request_id=r.request_id,
            client_address=r.client_address,
            before=_summary(r.before),
            after=_summary(r.after),
        )
        for r in page
    ]
    return AuditPageOut(entries, page[-1].seq if len(rows) > limit else None)
