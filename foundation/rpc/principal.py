"""Who is calling. The app's authentication hook turns a request into a Principal."""

from __future__ import annotations

from typing import Literal

import msgspec

PrincipalKind = Literal["anonymous", "user", "admin", "api_key"]


class Principal(msgspec.Struct, frozen=True):
    """Built on every authenticated request: a Struct, whose constructor runs in C."""

    kind: PrincipalKind
    user_id: str | None = None
    org_id: str | None = None  # the active organization: goes into the RLS context
    role: str | None = None  # the role in the active organization
    via_cookie: bool = False  # cookie-authenticated calls get CSRF checks
    session_id: str | None = None


ANONYMOUS = Principal("anonymous")
