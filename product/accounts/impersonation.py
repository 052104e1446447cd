"""`auth.impersonation.redeem`: the product side of panopticon's impersonation. An administrator's
browser brings the one-time code panopticon's `impersonation.start` gave them; the code (stored
hashed, single-use, short-lived) opens a product session as the user, marked with the
impersonation, its administrator and whether it is read-only, ending when the impersonation
does. The dispatcher reads the mark from the principal (`principal.impersonation`): a read-only
one calls read routes only, and its transactions are READ ONLY."""

from __future__ import annotations

from typing import Annotated

import msgspec

from database.tx import change_context
from foundation.crypto import new_signed_token, token_digest
from foundation.errors import BlossomError
from foundation.ids import new_id
from foundation.logging import bind_context
from product.accounts import queries
from product.accounts.routes import InitOut, build_init, session_impersonation
from product.accounts.sessions import cookie_header
from product.audit import ACCOUNT, audit_event
from product.rpc import AnonymousReq, router


class InvalidImpersonationCode(BlossomError):
    """The code is unknown, used already, expired, or its impersonation has ended."""

    code = "invalid_impersonation_code"
    status = 400


class RedeemIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=16, max_length=200)]


@router.route("auth.impersonation.redeem", errors=[InvalidImpersonationCode])
async def redeem(req: AnonymousReq[RedeemIn]) -> InitOut:
    """Open the impersonation's product session in this browser (sets the session cookie)."""
    svc = req.services
    now = svc.clock.now()
    found = await queries.redeem_impersonation(req.db, code_hash=token_digest(req.body.code), now=now)
    if found is None:
        raise InvalidImpersonationCode("this impersonation code is unknown, used or expired")
    bind_context(user_id=found.user_id, admin_id=found.admin_id)
    await change_context(await req.db.connection(), user_id=found.user_id)
    orgs = await queries.my_orgs(req.db, user_id=found.user_id)
    active_org_id = orgs[0].id if orgs else None
    token = new_signed_token(svc.session_key)
    session_id = new_id("ses")
    await queries.insert_impersonated_session(
        req.db,
        id=session_id,
        user_id=found.user_id,
        token_hash=token_digest(token),
        active_org_id=active_org_id,
        user_agent=req.headers.get(b"user-agent", b"").decode("utf-8", "replace").replace("\x00", "")[:500],
        now=now,
        expires_at=found.expires_at,
        impersonation_id=found.impersonation_id,
        impersonated_by=found.admin_id,
        impersonator_email=found.admin_email,
        read_only=not found.writes,
    )
    max_age = max(1, int((found.expires_at - now).total_seconds()))
    req.set_cookie(cookie_header(token, secure=svc.secure_cookies, max_age=max_age))
    init = await build_init(req, found.user_id, active_org_id)
    init = msgspec.structs.replace(init, impersonation=await session_impersonation(req, session_id))
    await audit_event(
        req,
        "auth.impersonation.redeem",
        chain=ACCOUNT,
        target=session_id,
        user_id=found.user_id,
        admin_id=found.admin_id,
        after={"impersonation_id": found.impersonation_id, "read_only": not found.writes},
    )
    return init
