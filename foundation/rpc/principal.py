"""Who is calling. The app's authentication hook turns a request into one of these; the route's
auth level (read from its handler's annotation) decides which ones may call it, and the handler
sees the narrowed type: on an organization route `req.principal.org_id` is a `str`, never None.

Every kind carries the same attribute names (None where they do not apply), so code that takes
any caller (the tenant context, logs) reads them without checking the kind first. They are
Structs: their constructors run in C, and one is built on every authenticated request.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec


class Impersonation(msgspec.Struct, frozen=True, kw_only=True):
    """A session an administrator opened as the user (panopticon's impersonation): which one, by
    whom, and whether it may only call read routes (and runs its transactions READ ONLY)."""

    id: str  # imp_…
    admin_id: str  # adm_…: the audit log's actor
    read_only: bool


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """The API key a call authenticated with (`Authorization: Bearer bk_...`), on the principal
    it acts as: an organization's key (`personal=False`, an OrgPrincipal) or a user's personal
    access token. `scope`: "read" keys call only read-only routes; only routes declared with
    `api_keys=True` take keys at all (foundation/rpc/api_keys.py)."""

    id: str
    personal: bool
    scope: Literal["read", "write"]


class AnonymousPrincipal(msgspec.Struct, frozen=True, kw_only=True):
    kind: Literal["anonymous"] = "anonymous"
    user_id: None = None
    org_id: None = None
    role: None = None
    session_id: None = None
    via_cookie: bool = False
    impersonation: None = None

    api_key: None = None


class UserPrincipal(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in user without an active organization."""

    kind: Literal["user"] = "user"
    user_id: str
    org_id: None = None
    role: None = None
    session_id: str | None = None
    via_cookie: bool = False  # cookie-authenticated calls get CSRF checks
    impersonation: Impersonation | None = None  # an administrator acting as this user

    api_key: ApiKey | None = None  # a personal access token's call


class OrgPrincipal(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in user acting in their active organization, where they hold `role`."""

    kind: Literal["member"] = "member"
    user_id: str
    org_id: str  # goes into the RLS context
    role: str
    session_id: str | None = None
    via_cookie: bool = False
    impersonation: Impersonation | None = None  # an administrator acting as this user

    api_key: ApiKey | None = None  # an organization key's call (or a personal token's, in an org it named)


class AdminPrincipal(msgspec.Struct, frozen=True, kw_only=True):
    """An administrator (panopticon), holding `role` on the admin app's ladder (viewer, support,
    operator, owner): never a customer user, so no user or organization for the tenant context."""

    kind: Literal["admin"] = "admin"
    admin_id: str
    role: str
    user_id: None = None
    org_id: None = None
    session_id: str | None = None
    via_cookie: bool = False
    impersonation: None = None

    api_key: None = None


Principal: TypeAlias = AnonymousPrincipal | UserPrincipal | OrgPrincipal | AdminPrincipal
SignedIn: TypeAlias = UserPrincipal | OrgPrincipal  # what a `user` route's handler sees

ANONYMOUS = AnonymousPrincipal()
