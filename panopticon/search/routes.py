"""Find users (by email, name or id) and organizations (by name or id): case-insensitive prefix
matches, newest first, a page at a time, each branch on an index of its own (migration 0020)."""

from __future__ import annotations

import datetime as dt

import msgspec

from panopticon.ids import OrgId, PageSize, SearchText, UserId
from panopticon.rpc import AdminReq, router
from panopticon.search import queries


class SearchUsersIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    query: SearchText  # the start of an email, a display name or a user id; any case
    cursor: UserId | None = None  # `next_cursor` of the page before
    limit: PageSize = 25


class UserHit(msgspec.Struct, frozen=True):
    id: str
    email: str
    display_name: str
    verified: bool
    disabled: bool
    created_at: dt.datetime


class UsersPage(msgspec.Struct, frozen=True):
    users: list[UserHit]
    next_cursor: str | None  # None: this was the last page


@router.route("search.users", read_only=True, role="viewer")
async def search_users(req: AdminReq[SearchUsersIn]) -> UsersPage:
    """Users whose email, display name or id starts with the query (any case), newest first."""
    b = req.body
    rows = await queries.search_users(req.db, query=b.query, cursor=b.cursor, max_rows=b.limit + 1)
    users = [
        UserHit(
            id=r.id,
            email=r.email,
            display_name=r.display_name,
            verified=r.email_verified_at is not None,
            disabled=r.disabled_at is not None,
            created_at=r.created_at,
        )
        for r in rows[: b.limit]
    ]
    return UsersPage(users=users, next_cursor=users[-1].id if len(rows) > b.limit else None)


class SearchOrgsIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    query: SearchText  # the start of an organization's name or id; any case
    cursor: OrgId | None = None  # `next_cursor` of the page before
    limit: PageSize = 25


class OrgHit(msgspec.Struct, frozen=True):
    id: str
    name: str
    members: int
    created_at: dt.datetime


class OrgsPage(msgspec.Struct, frozen=True):
    orgs: list[OrgHit]
    next_cursor: str | None


@router.route("search.orgs", read_only=True, role="viewer")
async def search_orgs(req: AdminReq[SearchOrgsIn]) -> OrgsPage:
    """Organizations whose name or id starts with the query (any case), newest first."""
    b = req.body
    rows = await queries.search_orgs(req.db, query=b.query, cursor=b.cursor, max_rows=b.limit + 1)
    orgs = [OrgHit(id=r.id, name=r.name, members=r.members, created_at=r.created_at) for r in rows[: b.limit]]
    return OrgsPage(orgs=orgs, next_cursor=orgs[-1].id if len(rows) > b.limit else None)
