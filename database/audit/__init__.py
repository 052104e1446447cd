"""The append-only audit log (migration 0018): `record` writes one event in the caller's
transaction, so the row commits or rolls back with the change it describes; `verify` walks every
chain and names the first broken link of each. README.md in this folder has the whole design."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TypeAlias, cast

import msgspec

from database.audit import queries
from database.audit.verify import Break, verify_all, verify_chain
from database.connect import DbConnection
from database.json import JsonValue
from foundation.ids import new_id

__all__ = ["ACCOUNT", "ADMIN", "Actor", "Break", "Summary", "record", "verify_all", "verify_chain"]

# What changed, as JSON: {"name": "Old"} before, {"name": "New"} after (values JSON can hold).
Summary: TypeAlias = Mapping[str, object]

ACCOUNT = "account"  # a user's own account: sign-up, logins, sessions, password, email
ADMIN = "admin"  # administrators' own events (panopticon): logins, admin accounts


class Actor(msgspec.Struct, frozen=True):
    """Who acted: a user, or an administrator (`admin_id`), possibly acting as a user
    (`acting_as_user_id`: impersonation). Every field may be absent (a signed-out event)."""

    user_id: str | None = None
    admin_id: str | None = None
    acting_as_user_id: str | None = None


async def record(
    conn: DbConnection,
    *,
    chain: str,
    actor: Actor,
    action: str,
    now: dt.datetime,
    target: str | None = None,
    reason: str | None = None,
    request_id: str | None = None,
    client_address: str | None = None,
    before: Summary | None = None,
    after: Summary | None = None,
) -> str:
    """Append one event to `chain` (an org id: that organization's chain, which must be the
    transaction's active organization; or `ACCOUNT`, `ADMIN`) in the transaction of `conn`;
    the new row's id. One statement: it waits for the chain's previous writer to commit, so
    call it last, after the change it describes, to hold the chain for the shortest time.
    `before`/`after` summarise what changed: never a secret (no password hash, no token)."""
    row = await queries.record_audit(
        conn,
        id=new_id("aud", clock=_At(now)),  # stamped with the event's time, as rows' ids are
        chain=chain,
        now=now,
        actor_user_id=actor.user_id,
        actor_admin_id=actor.admin_id,
        acting_as_user_id=actor.acting_as_user_id,
        action=action,
        target=target,
        reason=reason,
        request_id=request_id,
        client_address=client_address,
        before=_json(before),
        after=_json(after),
    )
    assert row is not None
    return row.id


def _json(summary: Summary | None) -> JsonValue:
    return None if summary is None else cast(JsonValue, dict(summary))


class _At:
    """A clock stopped at one moment (the event's): `new_id` stamps ids with a clock's time."""

    __slots__ = ("_at",)

    def __init__(self, at: dt.datetime) -> None:
        self._at = at

    def now(self) -> dt.datetime:
        return self._at
