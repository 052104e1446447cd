"""Test support for product features: the app on the test database, with a recording mailer, a
fast password hasher (the real cost is measured by `just bench`, not paid by every test), and
helpers that sign people up and in."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from database.app_database import AppDatabase
from database.testing.fixture import T
from foundation.mail import RecordingMailer
from foundation.passwords import PasswordHasher
from foundation.settings import load_settings
from product.app import create_app
from product.services import ProductServices

TEST_ITERATIONS = 1000
PASSWORD = "violet tractor sings"  # noqa: S105 (test data)


@dataclass
class ProductHarness:
    t: T
    services: ProductServices
    mailer: RecordingMailer
    hasher: PasswordHasher
    http: httpx.AsyncClient

    def client(self) -> httpx.AsyncClient:
        """Another browser: its own cookie jar, same app."""
        return httpx.AsyncClient(transport=self.http._transport, base_url="https://product.test")

    def last_code(self, to: str) -> str:
        """The code in the newest mail to `to`."""
        for message in reversed(self.mailer.outbox):
            if message.to == to.lower():
                match = re.search(r"code: (\S+)", message.body)
                assert match, message.body
                return match.group(1)
        raise AssertionError(f"no mail to {to}")

    async def sign_up_and_in(self, client: httpx.AsyncClient, email: str, name: str = "Someone") -> dict:
        response = await client.post(
            "/rpc/auth.signup", json={"email": email, "password": PASSWORD, "display_name": name}
        )
        assert response.status_code == 200, response.text
        response = await client.post("/rpc/auth.login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return response.json()


@contextlib.asynccontextmanager
async def product_harness(t: T) -> AsyncIterator[ProductHarness]:
    settings = load_settings(
        {
            "DATABASE_URL": t.db.target.admin.render(),
            "APP_DATABASE_URL": t.db.target.app.render(),
            "BLOSSOM_ENV": "test",
            "LOG_FORMAT": "json",
        }
    )
    mailer = RecordingMailer()
    hasher = PasswordHasher(iterations=TEST_ITERATIONS)
    services = ProductServices(settings, AppDatabase(settings), t.clock, hasher, mailer)
    app = create_app(settings, services=services)
    transport = httpx.ASGITransport(app=app)
    async with app.fallback.test_app(), httpx.AsyncClient(transport=transport, base_url="https://product.test") as http:
        yield ProductHarness(t=t, services=services, mailer=mailer, hasher=hasher, http=http)
