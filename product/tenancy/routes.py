"""Organizations and members as servers manage them (with API keys, or signed in): an
organization's details and slug, keyset-paginated lists, and members provisioned without a
password (`members.provision`: SCIM's way, the person sets a password through the reset flow).
The JSON-RPC compatibility methods (product/reference/) are served by these routes and by
product/orgs' own. Permissions follow product/orgs/README.md: owners and admins manage."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import asyncpg
import msgspec

from foundation.errors import Conflict, NotFound
from foundation.ids import new_id
from foundation.rpc import Empty
from product.accounts.reset import request_reset
from product.accounts.routes import DisplayName, Email, Role
from product.audit import audit_event
from product.orgs import queries as org_queries
from product.orgs.routes import (
    MANAGERS,
    LastOwner,
    MemberOut,
    NotPermitted,
    OrgId,
    OrgName,
    OrgNotFound,
    Slug,
    _owner_rule,  # pyright: ignore[reportPrivateUsage]  (the owner rule's one translation)
)
from product.rpc import OrgReq, UserReq, router
from product.tenancy import queries

UserId = Annotated[str, msgspec.Meta(pattern=r"^usr_[0-9a-z]{26}$")]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=100)]


class UserNotFound(NotFound):
    """No such member (or, for `members.add`, no account this organization provisioned)."""

    code = "user_not_found"


class EmailTaken(Conflict):
    """Another account has this email: invite its owner instead (`members.invite`)."""

    code = "email_taken"


class OrgDetail(msgspec.Struct, frozen=True):
    id: str
    name: str
    slug: str | None
    role: Role  # the caller's
    created_at: dt.datetime


async def _manager(req: OrgReq[Any]) -> str:
    """Lock the organization (member changes go one at a time, as in product/orgs) and check the
    caller's current role; returns it."""
    if await org_queries.lock_org(req.db, id=req.principal.org_id) == 0:
        raise OrgNotFound("no such organization")
    me = await org_queries.membership_of(req.db, org_id=req.principal.org_id, user_id=req.principal.user_id)
    if me is None or me.role not in MANAGERS:
        raise NotPermitted(f"this needs the role {' or '.join(MANAGERS)}")
    return me.role


async def _detail(req: OrgReq[Any]) -> OrgDetail:
    row = await queries.org_detail(req.db, org_id=req.principal.org_id, user_id=req.principal.user_id)
    if row is None:
        raise OrgNotFound("no such organization")
    return OrgDetail(id=row.id, name=row.name, slug=row.slug, role=row.role, created_at=row.created_at)


# --- organizations ----------------------------------------------------------------------------------


@router.route("orgs.get", read_only=True, errors=[OrgNotFound], api_keys=True)
async def get_org(req: OrgReq[Empty]) -> OrgDetail:
    """The active organization: its name, slug, my role there and when it was created."""
    return await _detail(req)


class UpdateOrgIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: OrgName | msgspec.UnsetType = msgspec.UNSET
    slug: Slug | msgspec.UnsetType | None = msgspec.UNSET  # null clears it


@router.route("orgs.update", errors=[NotPermitted, OrgNotFound], api_keys="personal")
async def update_org(req: OrgReq[UpdateOrgIn]) -> OrgDetail:
    """Change the active organization's name or slug (owner or admin); absent fields stay."""
    await _manager(req)
    body = req.body
    before = await _detail(req)
    await queries.update_org(
        req.db,
        id=req.principal.org_id,
        name=None if body.name is msgspec.UNSET else body.name,
        set_slug=body.slug is not msgspec.UNSET,
        slug=None if body.slug is msgspec.UNSET else body.slug,
    )
    after = await _detail(req)
    await audit_event(
        req, "orgs.update", chain=after.id, target=after.id,
        before={"name": before.name, "slug": before.slug}, after={"name": after.name, "slug": after.slug},
    )  # fmt: skip
    return after


class PageIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    limit: PageSize = 50
    after: OrgId | None = None  # the previous page's `next_after`


class OrgsPage(msgspec.Struct, frozen=True):
    orgs: list[OrgDetail]
    next_after: str | None  # None: the last page


@router.route("orgs.page", read_only=True, api_keys="personal")
async def page_orgs(req: UserReq[PageIn]) -> OrgsPage:
    """My organizations in id order, a page at a time (keyset: stable while others are created)."""
    rows = await queries.my_orgs_page(
        req.db, user_id=req.principal.user_id, after=req.body.after, max_rows=req.body.limit + 1
    )
    orgs = [OrgDetail(id=r.id, name=r.name, slug=r.slug, role=r.role, created_at=r.created_at) for r in rows]
    more = len(orgs) > req.body.limit
    orgs = orgs[: req.body.limit]
    return OrgsPage(orgs=orgs, next_after=orgs[-1].id if more else None)


# --- members ----------------------------------------------------------------------------------------


def _member_out(row: Any) -> MemberOut:
    return MemberOut(
        id=row.id, user_id=row.user_id, email=row.email, display_name=row.display_name, role=row.role,
        joined_at=row.created_at,
    )  # fmt: skip


async def _member(req: OrgReq[Any], user_id: str) -> queries.MemberByUserRow:
    row = await queries.member_by_user(req.db, org_id=req.principal.org_id, user_id=user_id)
    if row is None:
        raise UserNotFound("no such member")
    return row


class ProvisionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    display_name: DisplayName
    role: Literal["admin", "member"] = "member"


@router.route("members.provision", errors=[NotPermitted, OrgNotFound, EmailTaken], api_keys=True, impersonation=False)
async def provision_member(req: OrgReq[ProvisionIn]) -> MemberOut:
    """Create an account for someone and make them a member (owner or admin). It has no password:
    they are mailed a reset code to set one. Only this organization may change its email or name."""
    await _manager(req)
    org_id = req.principal.org_id
    email = req.body.email.lower()
    user_id = new_id("usr", clock=req.services.clock)
    created = await queries.insert_managed_user(
        req.db, id=user_id, email=email, display_name=req.body.display_name, org_id=org_id
    )
    if created is None:
        raise EmailTaken("an account with this email exists: invite its owner instead")
    await org_queries.insert_membership(req.db, org_id=org_id, user_id=user_id, role=req.body.role)
    await request_reset(req, email)  # the outbox worker mails the code after the commit
    member = await _member(req, user_id)
    after = {"user_id": user_id, "email": email, "role": member.role}
    await audit_event(req, "members.provision", chain=org_id, target=member.id, after=after)
    return _member_out(member)


class UserIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    user_id: UserId


@router.route("members.get", read_only=True, errors=[UserNotFound], api_keys=True)
async def get_member(req: OrgReq[UserIdIn]) -> MemberOut:
    """One member of the active organization, by user id."""
    return _member_out(await _member(req, req.body.user_id))


class MembersPageIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    limit: PageSize = 50
    after: UserId | None = None  # the previous page's `next_after`


class MembersPage(msgspec.Struct, frozen=True):
    members: list[MemberOut]
    next_after: str | None  # None: the last page


@router.route("members.page", read_only=True, api_keys=True)
async def page_members(req: OrgReq[MembersPageIn]) -> MembersPage:
    """The active organization's members in user id order, a page at a time (keyset)."""
    rows = await queries.members_page(
        req.db, org_id=req.principal.org_id, after=req.body.after, max_rows=req.body.limit + 1
    )
    members = [_member_out(r) for r in rows]
    more = len(members) > req.body.limit
    members = members[: req.body.limit]
    return MembersPage(members=members, next_after=members[-1].user_id if more else None)


class AddIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    user_id: UserId
    role: Literal["admin", "member"] = "member"


@router.route("members.add", errors=[NotPermitted, OrgNotFound, UserNotFound], api_keys=True, impersonation=False)
async def add_member(req: OrgReq[AddIn]) -> MemberOut:
    """Make an account this organization provisioned a member again (owner or admin); anyone else
    joins by invitation. A member already is one: answered as they are."""
    await _manager(req)
    org_id = req.principal.org_id
    existing = await queries.member_by_user(req.db, org_id=org_id, user_id=req.body.user_id)
    if existing is not None:
        return _member_out(existing)
    if await queries.managed_user(req.db, id=req.body.user_id, org_id=org_id) is None:
        raise UserNotFound("no account this organization provisioned has this id")
    await org_queries.insert_membership(req.db, org_id=org_id, user_id=req.body.user_id, role=req.body.role)
    member = await _member(req, req.body.user_id)
    after = {"user_id": member.user_id, "role": member.role}
    await audit_event(req, "members.add", chain=org_id, target=member.id, after=after)
    return _member_out(member)


class UpdateManagedIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    user_id: UserId
    email: Email | msgspec.UnsetType = msgspec.UNSET
    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET


@router.route(
    "members.update_managed",
    errors=[NotPermitted, OrgNotFound, UserNotFound, EmailTaken],
    api_keys=True,
    impersonation=False,
)
async def update_managed(req: OrgReq[UpdateManagedIn]) -> MemberOut:
    """Change the email or name of a member's account this organization provisioned (owner or
    admin), until its person sets a password; other accounts belong to their people."""
    await _manager(req)
    body = req.body
    member = await _member(req, body.user_id)
    if member.managed_by_org != req.principal.org_id:
        raise UserNotFound("no account this organization provisioned has this id")
    try:
        updated = await queries.update_managed_user(
            req.db,
            id=body.user_id,
            org_id=req.principal.org_id,
            email=None if body.email is msgspec.UNSET else body.email,
            display_name=None if body.display_name is msgspec.UNSET else body.display_name,
        )
    except asyncpg.UniqueViolationError:
        raise EmailTaken("another account has this email") from None
    if updated == 0:  # its person has set a password: the account is theirs now
        raise UserNotFound("no account this organization provisioned has this id")
    changed = await _member(req, body.user_id)
    await audit_event(
        req, "members.update_managed", chain=req.principal.org_id, target=changed.id,
        before={"email": member.email, "display_name": member.display_name},
        after={"email": changed.email, "display_name": changed.display_name},
    )  # fmt: skip
    return _member_out(changed)


@router.route("members.remove_user", errors=[NotPermitted, OrgNotFound, UserNotFound, LastOwner], api_keys=True)
async def remove_user(req: OrgReq[UserIdIn]) -> MemberOut:
    """Remove a member by user id (owner; admins remove admins and members); their account stays.
    Answers with the membership as it was."""
    role = await _manager(req)
    member = await _member(req, req.body.user_id)
    if member.role == "owner" and role != "owner":
        raise NotPermitted("only an owner can remove an owner")
    async with _owner_rule():
        await queries.delete_membership_of_user(req.db, org_id=req.principal.org_id, user_id=member.user_id)
    before = {"user_id": member.user_id, "role": member.role}
    await audit_event(req, "members.remove_user", chain=req.principal.org_id, target=member.id, before=before)
    return _member_out(member)
