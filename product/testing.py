"""Test support for product features: the app on the test database, with a recording mailer, a
fast password hasher (the real cost is measured by `just bench`, not paid by every test), and
helpers that sign people up and in.

Mail goes through the outbox. By default the harness's outbox worker does not run in the
background: a test delivers when it chooses (`await product.deliver()`, or `sent_mail()` and
`last_code()`, which deliver first), so what happened inside a request can be inspected before
the worker acts on it. `product_harness(t, deliver_in_background=True)` runs it as production does."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import typing
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from database.app_database import AppDatabase
from database.outbox import OutboxWorker, RetryPolicy
from database.testing.fixture import T
from foundation.crypto import new_signed_token, new_token, token_digest
from foundation.external.openai import OpenAIClient
from foundation.ids import new_id
from foundation.mail import Mailer, Message, RecordingMailer
from foundation.passwords import PasswordHasher
from foundation.rpc.dispatch import RpcApp
from foundation.settings import load_settings
from product.accounts import queries as account_queries
from product.app import create_app
from product.outbox import outbox_worker
from product.services import ProductServices, session_key

TEST_ITERATIONS = 1000
PASSWORD = "violet tractor sings"  # noqa: S105 (test data)


@dataclass
class ProductHarness:
    t: T
    services: ProductServices
    database: AppDatabase  # the app's own pool: `database.pool`
    mailer: Mailer  # a RecordingMailer unless the test gave another
    hasher: PasswordHasher
    http: httpx.AsyncClient
    app: RpcApp
    outbox: OutboxWorker

    def client(self, address: str | None = None) -> httpx.AsyncClient:
        """Another browser: its own cookie jar, same app; from another network address if given."""
        transport = self.http._transport
        if address is not None:
            transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="https://product.test")

    async def deliver(self) -> int:
        """Run the outbox worker until nothing is due (at `t.clock`'s time); rows handled."""
        return await self.outbox.run_once()

    async def sent_mail(self) -> list[Message]:
        """Every message the recording mailer got, after delivering what is due."""
        await self.deliver()
        assert isinstance(self.mailer, RecordingMailer)
        return self.mailer.outbox

    async def last_code(self, to: str) -> str:
        """The code in the newest mail to `to` (delivering what is due first)."""
        for message in reversed(await self.sent_mail()):
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
async def product_harness(
    t: T,
    *,
    mailer: Mailer | None = None,
    deliver_in_background: bool = False,
    retry_policy: RetryPolicy | None = None,
    poll_seconds: float = 5.0,
    openai: OpenAIClient | None = None,
    **environment: str,
) -> AsyncIterator[ProductHarness]:
    """`environment`: more settings by variable name (`DATABASE_POOL_SIZE="2"`). `openai`: the
    assistant's client (one pointed at a fake from `foundation.testing.fakes`). The worker's
    retry delays take the whole backoff (no jitter), so tests know when a retry is due."""
    settings = load_settings(
        {
            "DATABASE_URL": t.db.target.admin.render(),
            "APP_DATABASE_URL": t.db.target.app.render(),
            "BLOSSOM_ENV": "test",
            "LOG_FORMAT": "json",
            **environment,
        }
    )
    mailer = mailer or RecordingMailer()
    hasher = PasswordHasher(iterations=TEST_ITERATIONS)
    services = ProductServices(settings, t.clock, hasher, mailer, llm=openai)
    database = AppDatabase(settings)
    outbox = outbox_worker(services, database, policy=retry_policy, poll_seconds=poll_seconds, jitter=lambda: 1.0)
    app = create_app(
        settings, services=services, database=database, outbox=outbox, deliver_in_background=deliver_in_background
    )
    transport = httpx.ASGITransport(app=app)
    async with app.fallback.test_app(), httpx.AsyncClient(transport=transport, base_url="https://product.test") as http:
        yield ProductHarness(
            t=t,
            services=services,
            database=database,
            mailer=mailer,
            hasher=hasher,
            http=http,
            app=app,
            outbox=outbox,
        )


async def signed_in_session(t: T, *, user_id: str, org_id: str | None) -> str:
    """A session for `user_id` written straight to the database; its cookie's token (signed with
    the development and test key)."""
    token = new_signed_token(session_key(load_settings({})))
    now = t.clock.now()
    async with t.db.owner.acquire() as conn:
        await account_queries.insert_session(
            conn,
            id=new_id("ses", clock=t.clock),
            user_id=user_id,
            token_hash=token_digest(token),
            active_org_id=org_id,
            user_agent="",
            now=now,
            expires_at=now + dt.timedelta(days=1),
        )
    return token


async def impersonated_session(
    t: T, *, user_id: str, org_id: str | None, writes: bool, minutes: int = 30, admin_email: str | None = None
) -> tuple[str, str, str]:
    """A product session opened by an impersonation of `user_id`, written straight to the database
    as panopticon and the redeem route would (an administrator, their open impersonation, the
    marked session): (cookie token, admin id, impersonation id)."""
    token = new_signed_token(session_key(load_settings({})))
    now = t.clock.now()
    admin_id = new_id("adm", clock=t.clock)
    impersonation_id = new_id("imp", clock=t.clock)
    email = admin_email or f"{admin_id}@admins.example"
    expires_at = now + dt.timedelta(minutes=minutes)
    async with t.db.owner.acquire() as conn:
        await conn.execute("INSERT INTO admins (id, email, role) VALUES ($1, $2, 'operator')", admin_id, email)
        await conn.execute(  # as impersonation.start does: the user's expired ones are closed first
            "UPDATE impersonations SET ended_at = expires_at WHERE user_id = $1 AND ended_at IS NULL"
            " AND expires_at <= $2",
            user_id,
            now,
        )
        await conn.execute(
            "INSERT INTO impersonations (id, admin_id, user_id, reason, writes, code_hash, code_expires_at,"
            " redeemed_at, created_at, expires_at) VALUES ($1, $2, $3, 'a test', $4, $5, $6, $6, $6, $7)",
            impersonation_id,
            admin_id,
            user_id,
            writes,
            token_digest(new_token()),
            now,
            expires_at,
        )
        await account_queries.insert_impersonated_session(
            conn,
            id=new_id("ses", clock=t.clock),
            user_id=user_id,
            token_hash=token_digest(token),
            active_org_id=org_id,
            user_agent="",
            now=now,
            expires_at=expires_at,
            impersonation_id=impersonation_id,
            impersonated_by=admin_id,
            impersonator_email=email,
            read_only=not writes,
        )
    return token, admin_id, impersonation_id


def sample_body(annotation: Any, field_name: str = "", ids: Mapping[str, str] | None = None) -> Any:
    """A well-formed value for `annotation`: ids from `ids` by prefix (`{"org": "org_…"}`), else
    fresh ones; tokens random (so they name nothing); text, numbers and choices plausible."""
    ids = ids or {}
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        pattern = next((m.pattern for m in metadata if isinstance(m, msgspec.Meta) and m.pattern), "") or ""
        if match := re.match(r"^\^([a-z]+)_", pattern):
            return ids.get(match.group(1)) or new_id(match.group(1))
        return sample_body(base, field_name, ids)
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if annotation is str:
        if "email" in field_name:
            return "someone@example.com"
        if "token" in field_name:
            return new_token()
        if "password" in field_name:
            return PASSWORD
        return "Some name"
    if annotation is bool:
        return False
    if annotation in (int, float):
        return 1
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return {
            f.encode_name: sample_body(f.type, f.name, ids) for f in msgspec.structs.fields(annotation) if f.required
        }
    return None


TRANSPORTS = ("rpc", "jsonrpc")  # the registry-driven suites call every route through both


def jsonrpc_request(route: str, params: bytes, request_id: int = 1) -> bytes:
    """A JSON-RPC 2.0 request object calling `route` with `params` (raw JSON bytes, kept as sent)."""
    return b'{"jsonrpc":"2.0","method":"%s","params":%s,"id":%d}' % (route.encode(), params, request_id)


async def post_route(
    http: httpx.AsyncClient, transport: str, route: str, body: bytes, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """Call `route` with `body` (its input, raw JSON) at `/rpc/<route>` or through `/jsonrpc`."""
    sent = {"content-type": "application/json", **(headers or {})}
    if transport == "rpc":
        return await http.post(f"/rpc/{route}", content=body, headers=sent)
    return await http.post("/jsonrpc", content=jsonrpc_request(route, body), headers=sent)


def failure_of(transport: str, response: httpx.Response) -> dict[str, Any] | None:
    """The error a call answered with as /rpc/'s envelope has it (`code`, `message`, fields),
    whichever the transport (JSON-RPC adds `jsonrpc_code`); None when it succeeded."""
    if transport == "rpc":
        return response.json()["error"] if response.status_code >= 400 else None
    assert response.status_code == 200, response.text  # the JSON-RPC status rule
    answer = response.json()
    if "error" not in answer:
        return None
    error = answer["error"]
    data = error.get("data", {})
    return {
        **data,
        "code": data.get("code", f"jsonrpc_{error['code']}"),
        "message": error["message"],
        "jsonrpc_code": error["code"],
    }
