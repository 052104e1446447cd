"""An audit entry as panopticon's routes return it (the audit view, a user's and an
organization's page)."""

from __future__ import annotations

import datetime as dt

import msgspec

from panopticon.audit import queries

# A summary as the client sees it: flat values (a nested one arrives as its JSON text), as in
# product's orgs.audit.list.
Summary = dict[str, str | int | float | bool | None]


class AuditEntryOut(msgspec.Struct, frozen=True):
    id: str
    chain: str  # an organization's id, "account" or "admin"
    seq: int  # the entry's position in its chain
    at: dt.datetime
    actor_user_id: str | None
    actor_admin_id: str | None
    acting_as_user_id: str | None
    action: str  # the route that acted, such as "users.disable"
    target: str | None
    reason: str | None
    request_id: str | None
    client_address: str | None
    before: Summary | None
    after: Summary | None


def entry_out(r: queries.ListAuditRow | queries.EntriesAboutRow) -> AuditEntryOut:
    return AuditEntryOut(
        id=r.id,
        chain=r.chain,
        seq=r.seq,
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


def _summary(value: object) -> Summary | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        return {"value": msgspec.json.encode(value).decode()}
    return {
        str(k): v if v is None or isinstance(v, str | int | float | bool) else msgspec.json.encode(v).decode()
        for k, v in value.items()
    }
