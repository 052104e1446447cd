"""Inviting an administrator: the row (no password, no second factor yet) and a one-time
enrolment code, of which only the SHA-256 is stored. Used by `just admin create` and by the
`admins.invite` route, each in its own transaction."""

from __future__ import annotations

import datetime as dt

from database.connect import DbConnection
from foundation.crypto import new_token, token_digest
from foundation.ids import new_id
from foundation.time import Clock
from panopticon.admins import queries
from panopticon.rpc import AdminRole

ENROLMENT_LIFETIME = dt.timedelta(hours=24)


class EmailTaken(Exception):
    pass


async def issue_enrolment_code(conn: DbConnection, *, admin_id: str, now: dt.datetime) -> tuple[str, dt.datetime]:
    """A new code for an administrator who has not enrolled yet (replacing any unused one)."""
    code = new_token()
    expires_at = now + ENROLMENT_LIFETIME
    await queries.delete_open_enrolment_tokens(conn, admin_id=admin_id)
    await queries.insert_enrolment_token(
        conn, id=new_id("ade"), admin_id=admin_id, token_hash=token_digest(code), now=now, expires_at=expires_at
    )
    return code, expires_at


async def invite(
    conn: DbConnection, *, email: str, role: AdminRole, clock: Clock
) -> tuple[queries.InsertAdminRow, str, dt.datetime]:
    """(the new administrator, their enrolment code, when it expires); EmailTaken if one exists."""
    now = clock.now()
    admin = await queries.insert_admin(conn, id=new_id("adm", clock=clock), email=email, role=role, now=now)
    if admin is None:
        raise EmailTaken(email)
    code, expires_at = await issue_enrolment_code(conn, admin_id=admin.id, now=now)
    return admin, code, expires_at
