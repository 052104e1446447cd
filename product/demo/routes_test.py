"""The demo routes through the real product app: every wire type, and `req.db` under RLS."""

from collections.abc import AsyncIterator

import httpx
import pytest

from database.testing.app_checks import rpc_client
from database.testing.fixture import T
from product.app import create_app

EVERYTHING = {
    "text": "héllo",
    "count": 3,
    "ratio": 0.5,
    "flag": True,
    "point": {"x": 1, "y": -2},
    "points": [{"x": 0, "y": 0}],
    "labels": {"a": 1},
    "size": "m",
    "color": "green",
    "shape": {"type": "square", "side": 2.5},
    "when": "2026-05-17T08:30:15.123456Z",
    "day": "2026-02-28",
    "price": "19.99",
    "token": "6f1c2b9e-8a1f-4c33-9f4e-2d7b1c0a9e55",
    "note": None,
    "tags": ["x"],
}


@pytest.fixture
async def client(t: T) -> AsyncIterator[httpx.AsyncClient]:
    async with rpc_client(t, create_app) as client:
        yield client


async def test_every_wire_type_round_trips_unchanged(client: httpx.AsyncClient) -> None:
    response = await client.post("/rpc/demo.echo", json=EVERYTHING)
    assert response.status_code == 200, response.text
    assert response.json() == {"echo": EVERYTHING, "nickname_state": "absent"}


@pytest.mark.parametrize(("nickname", "state"), [(None, "null"), ("Bee", "set")])
async def test_null_and_a_value_are_different_from_absent(client: httpx.AsyncClient, nickname, state) -> None:
    response = await client.post("/rpc/demo.echo", json={**EVERYTHING, "nickname": nickname})
    assert response.json()["nickname_state"] == state
    assert response.json()["echo"]["nickname"] == nickname


async def test_a_time_without_an_offset_is_refused_as_the_schema_says(client: httpx.AsyncClient) -> None:
    # The schema says `format: date-time` (RFC 3339, which requires the offset).
    response = await client.post("/rpc/demo.echo", json={**EVERYTHING, "when": "2026-05-17T08:30:15"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["path"] == "when"


async def test_invite_lists_every_bad_member(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/rpc/demo.invite",
        json={"team": "", "members": [{"email": "a@b.c"}, {"email": "x"}, {"email": "y@z", "role": "boss"}]},
    )
    assert response.status_code == 400
    assert [f["path"] for f in response.json()["error"]["fields"]] == ["team", "members[1].email", "members[2].role"]


async def test_note_count_runs_in_the_callers_tenant_transaction(t: T, client: httpx.AsyncClient) -> None:
    org_a, org_b = await t.factory.org(), await t.factory.org()
    user = await t.factory.user()
    await t.factory.note(org_a)
    await t.factory.note(org_b)
    await t.factory.note(org_b)
    for org, notes in ((org_a, 1), (org_b, 2)):
        response = await client.get(
            "/rpc/demo.note_count", headers={"x-test-principal": f"user={user.id}; org={org.id}"}
        )
        assert response.json() == {"org_id": org.id, "notes": notes}
    assert (await client.get("/rpc/demo.note_count")).status_code == 401
