"""Test support for panopticon: the app on the test database (`BLOSSOM_ENV=test`, so cookies are
Secure and the client speaks https), `t.clock` for sessions and TOTP, a fast password hasher, and
helpers that invite, enrol and log in administrators over HTTP with TOTP codes computed here."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
from pyotp.totp import TOTP

from database.app_database import AppDatabase
from database.testing.fixture import T
from database.tx import transaction
from foundation.passwords import PasswordHasher
from foundation.rpc.dispatch import RpcApp
from foundation.settings import load_settings
from panopticon.admins.enrolment import invite
from panopticon.app import create_app
from panopticon.rpc import AdminRole
from panopticon.services import PanopticonServices

TEST_ITERATIONS = 1000
PASSWORD = "amber lantern hums"  # noqa: S105 (test data)
BASE_URL = "https://panopticon.test"


@dataclass
class Enrolled:
    id: str
    email: str
    secret: str  # the TOTP secret
    recovery_codes: list[str]


@dataclass
class PanopticonHarness:
    t: T
    services: PanopticonServices
    hasher: PasswordHasher
    database: AppDatabase  # the app's own pool (panopticon's role): `database.pool`
    http: httpx.AsyncClient
    app: RpcApp
    enrolments: int = 0
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self, address: str | None = None) -> httpx.AsyncClient:
        """Another browser: its own cookie jar; from another network address if given (closed
        with the harness, if the test does not)."""
        transport = httpx.ASGITransport(app=self.app, client=(address or "127.0.0.1", 40000))
        client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        self.clients.append(client)
        return client

    def totp(self, secret: str, *, steps_ahead: int = 0) -> str:
        """The code an authenticator app shows at `t.clock`'s time."""
        return TOTP(secret).at(self.t.clock.now(), counter_offset=steps_ahead)

    async def invite(self, email: str, role: AdminRole = "owner") -> tuple[str, str]:
        """(admin id, enrolment code), as `just admin create` makes them (panopticon's own role)."""
        async with transaction(self.database.pool) as conn:
            admin, code, _ = await invite(conn, email=email, role=role, clock=self.t.clock)
        return admin.id, code

    async def enrol(self, email: str, role: AdminRole = "owner") -> Enrolled:
        """Invite and enrol over HTTP; the clock then moves to the next TOTP step, so the first
        login's code is not the (spent) confirmation code."""
        admin_id, code = await self.invite(email, role)
        self.enrolments += 1  # each from its own address: enrolment is rate-limited per address
        async with self.client(f"10.1.{self.enrolments // 250}.{self.enrolments % 250 + 1}") as client:
            started = await client.post("/rpc/auth.enrol.start", json={"code": code, "password": PASSWORD})
            assert started.status_code == 200, started.text
            secret = started.json()["secret"]
            confirmed = await client.post(
                "/rpc/auth.enrol.confirm", json={"code": code, "totp_code": self.totp(secret)}
            )
            assert confirmed.status_code == 200, confirmed.text
        self.t.clock.advance(seconds=30)
        return Enrolled(admin_id, email, secret, confirmed.json()["recovery_codes"])

    async def log_in(self, client: httpx.AsyncClient, admin: Enrolled) -> httpx.Response:
        response = await client.post(
            "/rpc/auth.login", json={"email": admin.email, "password": PASSWORD, "totp_code": self.totp(admin.secret)}
        )
        assert response.status_code == 200, response.text
        self.t.clock.advance(seconds=30)  # the next login needs the next code
        return response

    @contextlib.asynccontextmanager
    async def signed_in(
        self, email: str, role: AdminRole = "owner"
    ) -> AsyncIterator[tuple[Enrolled, httpx.AsyncClient]]:
        """`async with pan.signed_in(email, role) as (admin, client)`: an enrolled administrator
        and a client holding their session."""
        admin = await self.enrol(email, role)
        async with self.client() as client:
            await self.log_in(client, admin)
            yield admin, client


@contextlib.asynccontextmanager
async def panopticon_harness(t: T, **environment: str) -> AsyncIterator[PanopticonHarness]:
    """`environment`: more settings by variable name (`DATABASE_POOL_SIZE="2"`)."""
    settings = load_settings(
        {
            "DATABASE_URL": t.db.target.admin.render(),
            "APP_DATABASE_URL": t.db.target.app.render(),
            "BLOSSOM_ENV": "test",
            "LOG_FORMAT": "json",
            **environment,
        }
    )
    hasher = PasswordHasher(iterations=TEST_ITERATIONS)
    services = PanopticonServices(settings, t.clock, hasher)
    database = AppDatabase(settings, serving_as="panopticon")
    app = create_app(settings, services=services, database=database)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with app.fallback.test_app(), httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        harness = PanopticonHarness(t=t, services=services, hasher=hasher, database=database, http=http, app=app)
        try:
            yield harness
        finally:
            for client in harness.clients:
                await client.aclose()
