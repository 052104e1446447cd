"""The soak's load: virtual users, each one of a tenant's users, calling the product through both
servers in turn (a login on one, the next call on the other: the app tier keeps nothing), with a
realistic mix: page loads, organization reads and writes, invitations (mail through the outbox),
Server-Sent Event streams opened and dropped, re-logins, and hostile or invalid input. Every
answer goes to the tally (status, error code, timing) and through the leak checker.

Loopback only: `VirtualUser` refuses a server that is not 127.0.0.1. Bounded: each user stops at
the deadline, and no call waits longer than `REQUEST_TIMEOUT_SECONDS`.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from tools.soak.checks import Leak, LeakChecker, Tenant

REQUEST_TIMEOUT_SECONDS = 30.0
# Logins in flight at once, across every virtual user: each hashes a password (600,000 PBKDF2
# iterations), and a dozen at once on a small shared machine outlast the route's 10 s deadline.
# Real logins arrive spread out; this spreads the soak's.
LOGINS_AT_ONCE = 2
PASSWORD = "soak lantern drifts"  # noqa: S105 (the seeded users' password, loopback only)


@dataclass(frozen=True)
class Outcome:
    route: str
    sent: float
    answered: float
    status: int | None
    code: str | None
    expect_4xx: bool = False
    transport_error: str | None = None


@dataclass
class Account:
    tenant: Tenant
    email: str
    role: str  # "owner" or "member"
    address: str  # the X-Forwarded-For this user's calls come from (rate limits key on it)


@dataclass
class Shared:
    """What every virtual user reports into."""

    servers: list[str]
    checker: LeakChecker
    deadline: float
    outcomes: list[Outcome] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)
    streams_opened: int = 0
    streams_dropped: int = 0
    streams_finished: int = 0
    logins: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(LOGINS_AT_ONCE))

    def __post_init__(self) -> None:
        for server in self.servers:
            if urlsplit(server).hostname != "127.0.0.1":
                raise ValueError(f"the soak only drives loopback servers, not {server}")


def _error_code(response: httpx.Response) -> str | None:
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


# Hostile or invalid calls: (route, body bytes or JSON, whether a 4xx is the only right answer).
_DEEP = b"[" * 5000 + b"]" * 5000
_INVALID: list[tuple[str, bytes]] = [
    ("orgs.rename", json.dumps({"name": "nul\u0000byte"}).encode()),
    ("orgs.rename", b'{"name": "\xff\xfe invalid utf-8"}'),
    ("orgs.rename", _DEEP),
    ("orgs.rename", json.dumps({"name": "x", "unknown": 1}).encode()),
    ("orgs.rename", json.dumps({"name": 12345}).encode()),
    ("orgs.rename", json.dumps({"name": ""}).encode()),
    ("members.invite", json.dumps({"email": "not an email"}).encode()),
    ("members.invite", json.dumps({"email": ["a@b.c"] * 20000}).encode()),
    ("demo.invite", json.dumps({"team": "t", "members": [{"email": 1}] * 5000}).encode()),
    ("invites.cancel", json.dumps({"invite_id": "\u0000" * 100}).encode()),
    ("orgs.list", b"this is not json"),
    ("no.such_route", b"{}"),
]


class VirtualUser:
    def __init__(self, shared: Shared, account: Account, seed: int) -> None:
        self.shared = shared
        self.account = account
        self.random = random.Random(seed)  # noqa: S311 (a load mix, not a secret)
        self.invites: list[str] = []
        self.renames = 0
        self.signed_in = False
        self.http = httpx.AsyncClient(
            timeout=REQUEST_TIMEOUT_SECONDS, headers={"x-forwarded-for": account.address}, follow_redirects=False
        )

    @property
    def tenant(self) -> int:
        return self.account.tenant.index

    def _server(self) -> str:
        return self.random.choice(self.shared.servers)

    async def _call(
        self,
        route: str,
        body: object = None,
        *,
        content: bytes | None = None,
        expect_4xx: bool = False,
        anonymous: bool = False,
    ) -> httpx.Response | None:
        if route == "auth.login":
            async with self.shared.logins:
                return await self._send(route, body, content=content, expect_4xx=expect_4xx, anonymous=anonymous)
        return await self._send(route, body, content=content, expect_4xx=expect_4xx, anonymous=anonymous)

    async def _send(
        self, route: str, body: object, *, content: bytes | None, expect_4xx: bool, anonymous: bool
    ) -> httpx.Response | None:
        sent = time.monotonic()
        url = f"{self._server()}/rpc/{route}"
        try:
            if anonymous:  # no cookie: what a stranger gets
                async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_SECONDS) as stranger:
                    response = await stranger.post(url, json=body, headers={"x-forwarded-for": "10.99.0.1"})
            elif content is not None:
                response = await self.http.post(url, content=content, headers={"content-type": "application/json"})
            else:
                response = await self.http.post(url, json={} if body is None else body)
        except httpx.HTTPError as error:
            self.shared.outcomes.append(
                Outcome(route, sent, time.monotonic(), None, None, expect_4xx, type(error).__name__)
            )
            return None
        answered = time.monotonic()
        self.shared.outcomes.append(
            Outcome(route, sent, answered, response.status_code, _error_code(response), expect_4xx)
        )
        leaks = self.shared.checker.leaks(route, None if anonymous else self.tenant, response.text)
        self._leaks(leaks)
        return response

    def _leaks(self, leaks: list[Leak]) -> None:
        self.shared.leaks.extend(leaks)

    async def login(self) -> bool:
        response = await self._call("auth.login", {"email": self.account.email, "password": PASSWORD})
        return response is not None and response.status_code == 200

    async def _init(self) -> None:
        await self._call("auth.init")

    async def _orgs(self) -> None:
        await self._call("orgs.list")

    async def _members(self) -> None:
        await self._call("members.list")

    async def _notes(self) -> None:
        await self._call("demo.note_count")

    async def _rename(self) -> None:
        self.renames += 1
        name = f"Tenant {self.tenant} {self.account.tenant.marker} r{self.renames}"
        await self._call("orgs.rename", {"name": name})

    async def _invite(self) -> None:
        guest = f"guest{self.random.randrange(10**6)}-{self.account.tenant.marker}@soak.example"
        response = await self._call("members.invite", {"email": guest})
        if response is not None and response.status_code == 200:
            self.invites.append(response.json()["id"])
            if len(self.invites) > 3:  # pending invitations stay few, so answers keep their size
                await self._call("invites.cancel", {"invite_id": self.invites.pop(0)})

    async def _cancel(self) -> None:
        if self.invites:
            await self._call("invites.cancel", {"invite_id": self.invites.pop(0)})
        else:
            await self._invite()

    async def _relogin(self) -> None:
        await self._call("auth.logout")
        self.signed_in = await self.login()

    async def _stream(self) -> None:
        """Open a tick stream, read a few events, and mostly drop it (the server must cancel it)."""
        self.shared.streams_opened += 1
        keep = self.random.randrange(1, 12)
        to_the_end = self.random.random() < 0.15
        sent = time.monotonic()
        route = "demo.count"
        seen = 0
        try:
            async with self.http.stream(
                "POST", f"{self._server()}/rpc/{route}", json={"to": 10 if to_the_end else 200, "interval_ms": 20}
            ) as response:
                if response.status_code != 200:
                    await response.aread()
                    self.shared.outcomes.append(
                        Outcome(route, sent, time.monotonic(), response.status_code, _error_code(response))
                    )
                    self._leaks(self.shared.checker.leaks(route, self.tenant, response.text))
                    return
                async for line in response.aiter_lines():
                    self._leaks(self.shared.checker.leaks(route, self.tenant, line))
                    if line.startswith("data:"):
                        seen += 1
                        if not to_the_end and seen >= keep:
                            break  # leaving the block closes the connection mid-stream
        except httpx.HTTPError as error:
            self.shared.outcomes.append(Outcome(route, sent, time.monotonic(), None, None, False, type(error).__name__))
            return
        self.shared.outcomes.append(Outcome(route, sent, time.monotonic(), 200, None))
        if to_the_end:
            self.shared.streams_finished += 1
        else:
            self.shared.streams_dropped += 1

    async def _invalid(self) -> None:
        route, content = self.random.choice(_INVALID)
        await self._call(route, content=content, expect_4xx=True)

    async def _stranger(self) -> None:
        """Calls without a session: a junk cookie's page load, an organization route, a wrong password."""
        choice = self.random.randrange(3)
        if choice == 0:
            await self._call("auth.init", anonymous=True)
        elif choice == 1:
            await self._call("members.list", anonymous=True, expect_4xx=True)
        else:
            email = self.account.email
            await self._call(
                "auth.login", {"email": email, "password": "wrong guess!!"}, anonymous=True, expect_4xx=True
            )

    def _mix(self) -> list[tuple[Callable[[], Awaitable[None]], int]]:
        return [
            (self._init, 14),
            (self._orgs, 10),
            (self._members, 14),
            (self._notes, 16),
            (self._rename, 8),
            (self._invite, 5),
            (self._cancel, 5),
            (self._stream, 6),
            (self._invalid, 10),
            (self._stranger, 4),
            (self._relogin, 1),
        ]

    async def run(self) -> None:
        actions, weights = zip(*self._mix(), strict=True)
        try:
            while time.monotonic() < self.shared.deadline:
                if not self.signed_in:  # a login can fall in the outage: try again
                    self.signed_in = await self.login()
                    if not self.signed_in:
                        await asyncio.sleep(0.5)
                    continue
                await self.random.choices(actions, weights)[0]()
        finally:
            await self.http.aclose()
