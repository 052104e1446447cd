"""A request holds at most one pooled connection: every route, called at three times the pool size
in parallel with a real session cookie (and with junk cookies and random tokens), at /rpc/ and
in /jsonrpc batches, answers without a timeout while /health stays 200. Routes are discovered
from the registry, so a new route is covered without anyone remembering to add it here."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from database.testing.fixture import T
from foundation.crypto import new_token
from foundation.rpc.jsonrpc import MAX_BATCH
from foundation.rpc.routes import RouteSpec
from product.accounts.sessions import COOKIE_NAME
from product.api_keys.testing import api_key_token, personal_token
from product.routes import router
from product.testing import ProductHarness, product_harness, sample_body, signed_in_session

POOL_SIZE = 2
PARALLEL = 3 * POOL_SIZE
# A request that waits on a second connection would hold its first until its route times out.
NO_DEADLOCK_WITHIN_SECONDS = 8
ROUTES = sorted((r for r in router.routes.values() if not r.streaming), key=lambda r: r.name)


@pytest.fixture
async def small_pool(t: T):
    async with product_harness(t, DATABASE_POOL_SIZE=str(POOL_SIZE)) as harness:
        yield harness


async def _health_until(product: ProductHarness, done: asyncio.Event) -> list[int]:
    statuses = []
    while not done.is_set():
        statuses.append((await product.http.get("/health")).status_code)
        await asyncio.sleep(0.01)
    return statuses


async def _hammer(product: ProductHarness, route: RouteSpec, cookie: str) -> tuple[list[httpx.Response], list[int]]:
    t = product.t
    org = await t.factory.org()
    user = await t.factory.user()
    await t.factory.membership(org, user, "owner")
    ids = {"org": org.id}
    token = await signed_in_session(t, user_id=user.id, org_id=org.id) if cookie == "valid" else new_token()
    headers = {"cookie": f"{COOKIE_NAME}={token}"}

    async def call() -> httpx.Response:
        body = sample_body(route.input_type, "", ids) or {}
        return await product.http.post(f"/rpc/{route.name}", json=body, headers=headers)

    done = asyncio.Event()

    async def calls() -> list[httpx.Response]:
        try:
            return await asyncio.wait_for(
                asyncio.gather(*(call() for _ in range(PARALLEL))), NO_DEADLOCK_WITHIN_SECONDS
            )
        finally:
            done.set()

    return await asyncio.gather(calls(), _health_until(product, done))


@pytest.mark.parametrize("cookie", ["valid", "junk"])
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
async def test_every_route_at_three_times_the_pool_size(small_pool: ProductHarness, route: RouteSpec, cookie: str):
    responses, health = await _hammer(small_pool, route, cookie)
    statuses = sorted(r.status_code for r in responses)
    assert not [s for s in statuses if s >= 500], f"{route.name}: {statuses} {responses[-1].text}"
    assert set(health) <= {200}, f"/health answered {health} while {route.name} ran"


@pytest.mark.parametrize("cookie", ["valid", "junk"])
async def test_batches_of_every_route_at_three_times_the_pool_size(small_pool: ProductHarness, cookie: str) -> None:
    """Over /jsonrpc the calls of a batch run one after the other, each taking and returning the
    request's one connection: batches of every route (in chunks of the batch limit), three times
    the pool size in parallel, all answered, none internal or timed out, /health still 200."""
    t = small_pool.t
    org = await t.factory.org()
    user = await t.factory.user()
    await t.factory.membership(org, user, "owner")
    token = await signed_in_session(t, user_id=user.id, org_id=org.id) if cookie == "valid" else new_token()
    headers = {"cookie": f"{COOKIE_NAME}={token}"}
    calls = [
        {"jsonrpc": "2.0", "method": r.name, "params": sample_body(r.input_type, "", {"org": org.id}) or {}, "id": n}
        for n, r in enumerate(ROUTES)
    ]
    chunks = [calls[i : i + MAX_BATCH] for i in range(0, len(calls), MAX_BATCH)]
    done = asyncio.Event()

    async def batches() -> list[httpx.Response]:
        try:
            sent = [small_pool.http.post("/jsonrpc", json=chunk, headers=headers) for chunk in chunks] * PARALLEL
            return await asyncio.wait_for(asyncio.gather(*sent), NO_DEADLOCK_WITHIN_SECONDS * 2)
        finally:
            done.set()

    responses, health = await asyncio.gather(batches(), _health_until(small_pool, done))
    answers = [answer for response in responses for answer in response.json()]
    assert len(answers) == len(calls) * PARALLEL
    failed = [a for a in answers if a.get("error", {}).get("code") in (-32603, -32006, -32007)]
    assert not failed, failed[:3]
    assert set(health) <= {200}


async def test_a_junk_session_cookie_takes_no_connection(small_pool: ProductHarness) -> None:
    """An anonymous caller with a token-shaped cookie is told apart without the database: with
    every connection of the pool held elsewhere, it is still answered."""
    pool = small_pool.database.pool
    held = [await pool.acquire_connection() for _ in range(POOL_SIZE)]
    try:
        response = await asyncio.wait_for(
            small_pool.http.post(
                "/rpc/demo.ping", json={"message": "hi"}, headers={"cookie": f"{COOKIE_NAME}={new_token()}"}
            ),
            5,
        )
    finally:
        for conn in held:
            pool.release(conn)
    assert response.status_code == 200


async def test_streams_hold_no_connection_while_they_run(small_pool: ProductHarness) -> None:
    """Three times the pool size in open streams (signed in, so authentication used a connection
    first), and an organization route is still served while they all run."""
    t = small_pool.t
    org = await t.factory.org()
    user = await t.factory.user()
    await t.factory.membership(org, user, "owner")
    headers = {"cookie": f"{COOKIE_NAME}={await signed_in_session(t, user_id=user.id, org_id=org.id)}"}
    finished: list[str] = []

    async def stream() -> None:
        response = await small_pool.http.post("/rpc/demo.count", json={"to": 20, "interval_ms": 50}, headers=headers)
        assert response.text.count("data:") == 20
        finished.append("stream")

    async def org_route() -> None:
        await asyncio.sleep(0.2)  # every stream has started
        response = await small_pool.http.post("/rpc/members.list", json={}, headers=headers)
        assert response.status_code == 200, response.text
        finished.append("org route")

    await asyncio.gather(*(stream() for _ in range(PARALLEL)), org_route())
    assert finished[0] == "org route", finished


KEY_ROUTES = [r for r in ROUTES if r.api_keys]


@pytest.mark.parametrize("key", ["valid", "junk"])
@pytest.mark.parametrize("route", KEY_ROUTES, ids=lambda r: r.name)
async def test_every_key_route_at_three_times_the_pool_size_with_a_bearer_token(
    small_pool: ProductHarness, route: RouteSpec, key: str
) -> None:
    """The same with `Authorization: Bearer`: a real key (an organization's, or a personal token
    naming the organization for personal-only routes; its lookup and last-use write share the
    request's one connection), or a junk one (refused before the database)."""
    t = small_pool.t
    org = await t.factory.org()
    user = await t.factory.user()
    await t.factory.membership(org, user, "owner")
    if key == "junk":
        headers = {"authorization": f"Bearer bk_{new_token()}"}
    elif route.api_keys == "personal":
        headers = {"authorization": f"Bearer {await personal_token(t, user_id=user.id)}", "blossom-org": org.id}
    else:
        headers = {"authorization": f"Bearer {await api_key_token(t, org_id=org.id, user_id=user.id)}"}
    done = asyncio.Event()

    async def calls() -> list[httpx.Response]:
        try:
            body = sample_body(route.input_type, "", {"org": org.id}) or {}
            sent = (small_pool.http.post(f"/rpc/{route.name}", json=body, headers=headers) for _ in range(PARALLEL))
            return await asyncio.wait_for(asyncio.gather(*sent), NO_DEADLOCK_WITHIN_SECONDS)
        finally:
            done.set()

    responses, health = await asyncio.gather(calls(), _health_until(small_pool, done))
    statuses = sorted(r.status_code for r in responses)
    assert not [s for s in statuses if s >= 500], f"{route.name}: {statuses} {responses[-1].text}"
    assert set(health) <= {200}
    if key == "junk":
        assert set(statuses) == {401}


async def test_a_junk_bearer_token_takes_no_connection(small_pool: ProductHarness) -> None:
    """A token we did not sign is refused without the database: with every connection of the
    pool held elsewhere, it is still answered (401) at once."""
    pool = small_pool.database.pool
    held = [await pool.acquire_connection() for _ in range(POOL_SIZE)]
    try:
        response = await asyncio.wait_for(
            small_pool.http.post("/rpc/members.list", json={}, headers={"authorization": f"Bearer bk_{new_token()}"}),
            5,
        )
    finally:
        for conn in held:
            pool.release(conn)
    assert response.status_code == 401
