"""The `t` test fixture: one object with a database handle, factories and a controllable clock."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from database import queries
from database.connect import PgConnection, create_pool
from database.connection_pool import ConnectionPool
from database.pool import create_app_pool
from database.target import DatabaseTarget
from database.tx import tenant_transaction, transaction
from foundation.ids import new_id
from foundation.passwords import PasswordHasher
from foundation.testing.clock import ManualClock


@dataclass(frozen=True)
class TestDatabaseHandles:
    """`owner` bypasses RLS (arrange and inspect anything); `app` is the role requests run as."""

    __test__ = False  # not a pytest test class

    target: DatabaseTarget
    owner: ConnectionPool
    app: ConnectionPool
    outbox: ConnectionPool  # the outbox worker's role: the app's privileges, and the outbox functions

    def tenant(
        self, *, user_id: str | None = None, org_id: str | None = None
    ) -> AbstractAsyncContextManager[PgConnection]:
        """A transaction as the application role with this tenant context."""
        return tenant_transaction(self.app, user_id=user_id, org_id=org_id)

    def app_transaction(self) -> AbstractAsyncContextManager[PgConnection]:
        """A transaction as the application role with no tenant context at all."""
        return transaction(self.app)

    def outbox_transaction(self) -> AbstractAsyncContextManager[PgConnection]:
        """A transaction as the outbox worker's role."""
        return transaction(self.outbox)


FACTORY_PASSWORD = "factory-made correct horse"  # noqa: S105 (test data)


@functools.cache
def _factory_password_hash() -> str:
    """Hashed once per process: 600,000 PBKDF2 iterations are too slow to repeat per user."""
    return PasswordHasher().hash(FACTORY_PASSWORD)


class Factories:
    """Rows for tests, written as the owner through the generated queries. Each row gets an id and
    created_at one clock millisecond after the last, so ids sort in creation order."""

    def __init__(self, db: TestDatabaseHandles, clock: ManualClock) -> None:
        self._db = db
        self._clock = clock
        self._counter = 0

    def _next(self, prefix: str) -> tuple[str, int, dt.datetime]:
        self._counter += 1
        now = self._clock.advance(milliseconds=1)
        return new_id(prefix, clock=self._clock), self._counter, now

    async def org(self, *, name: str | None = None) -> queries.Org:
        id, n, now = self._next("org")
        async with self._db.owner.acquire() as conn:
            org = await queries.create_org(conn, id=id, name=name or f"Org {n}", created_at=now)
        assert org is not None
        return org

    async def user(
        self, *, email: str | None = None, display_name: str | None = None, verified: bool = False
    ) -> queries.CreateUserRow:
        """A user whose password is FACTORY_PASSWORD; `verified`: email verified at creation."""
        id, n, now = self._next("usr")
        async with self._db.owner.acquire() as conn:
            user = await queries.create_user(
                conn,
                id=id,
                email=email or f"user{n}@example.test",
                display_name=display_name or f"User {n}",
                password_hash=_factory_password_hash(),
                created_at=now,
            )
            if verified:
                await queries.set_user_email_verified(conn, id=id, verified_at=now)
        assert user is not None
        return user

    async def membership(
        self, org: queries.Org, user: queries.CreateUserRow, role: queries.OrgRole = "member"
    ) -> queries.Membership:
        _, _, now = self._next("mem")
        async with self._db.owner.acquire() as conn:
            membership = await queries.create_membership(
                conn, org_id=org.id, user_id=user.id, role=role, created_at=now
            )
        assert membership is not None
        return membership

    async def session(
        self,
        user: queries.CreateUserRow,
        *,
        org: queries.Org | None = None,
        last_seen_at: dt.datetime | None = None,
    ) -> queries.CreateSessionRow:
        """A session (a login) created now, active in `org`; last seen now unless given."""
        id, _, now = self._next("ses")
        async with self._db.owner.acquire() as conn:
            session = await queries.create_session(
                conn,
                id=id,
                user_id=user.id,
                token_hash=secrets.token_bytes(32),
                active_org_id=org.id if org else None,
                created_at=now,
                last_seen_at=last_seen_at or now,
                expires_at=now + dt.timedelta(days=30),
            )
        assert session is not None
        return session

    async def invite(
        self,
        org: queries.Org,
        *,
        invited_by: queries.CreateUserRow | None = None,
        email: str | None = None,
        status: queries.InviteStatus = "pending",
    ) -> queries.CreateInviteRow:
        """An invitation to `org` sent now, as a member, in the given status."""
        id, n, now = self._next("inv")
        async with self._db.owner.acquire() as conn:
            invite = await queries.create_invite(
                conn,
                id=id,
                org_id=org.id,
                email=email or f"invitee{n}@example.test",
                role="member",
                token_hash=secrets.token_bytes(32),
                invited_by=invited_by.id if invited_by else None,
                status=status,
                created_at=now,
                expires_at=now + dt.timedelta(days=7),
            )
        assert invite is not None
        return invite

    async def note(
        self, org: queries.Org, *, body: str | None = None, author: queries.CreateUserRow | None = None
    ) -> queries.OrgNote:
        id, n, now = self._next("note")
        async with self._db.owner.acquire() as conn:
            note = await queries.create_org_note(
                conn,
                id=id,
                org_id=org.id,
                author_id=author.id if author else None,
                body=body or f"Note {n}",
                created_at=now,
            )
        assert note is not None
        return note


@dataclass(frozen=True)
class T:
    db: TestDatabaseHandles
    clock: ManualClock
    factory: Factories


async def reset(db: TestDatabaseHandles) -> None:
    """Empty every table that holds rows: the state the template had."""
    await db.owner.execute("SELECT blossom_test.reset()")


async def make_t(db: TestDatabaseHandles) -> T:
    await reset(db)
    clock = ManualClock()
    return T(db=db, clock=clock, factory=Factories(db, clock))


async def open_handles(target: DatabaseTarget) -> AsyncIterator[TestDatabaseHandles]:
    owner = await create_pool(target.owner, min_size=1, max_size=4)
    app = await create_app_pool(target.app, min_size=1, max_size=4)
    outbox = await create_app_pool(target.outbox, min_size=0, max_size=2)
    try:
        yield TestDatabaseHandles(target=target, owner=owner, app=app, outbox=outbox)
    finally:
        await outbox.close()
        await app.close()
        await owner.close()
