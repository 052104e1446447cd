"""Workspaces, services and connectors over the real app."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from product.accounts.sessions import COOKIE_NAME
from product.testing import ProductHarness, signed_in_session
from product.workspaces.routes import handle_base


async def member_client(product: ProductHarness, org_name: str = "Acme Dental") -> httpx.AsyncClient:
    """A client signed in as the owner of a new organization named `org_name`."""
    t = product.t
    org = await t.factory.org(name=org_name)
    user = await t.factory.user()
    await t.factory.membership(org, user, "owner")
    client = product.client()
    client.headers["x-blossom-test-ids"] = f"{user.id} {org.id}"  # for `sign_in_again`
    await sign_in_again(product, client)
    return client


async def sign_in_again(product: ProductHarness, client: httpx.AsyncClient) -> None:
    """A fresh session (after `t.clock` moved past the old one's expiry)."""
    user_id, org_id = client.headers["x-blossom-test-ids"].split()
    token = await signed_in_session(product.t, user_id=user_id, org_id=org_id)
    client.cookies.set(COOKIE_NAME, token, domain="product.test")


async def call(client: httpx.AsyncClient, route: str, body: dict | None = None, status: int = 200) -> dict:
    response = await client.post(f"/rpc/{route}", json=body or {})
    assert response.status_code == status, response.text
    return response.json()


def test_handles_come_from_the_name() -> None:
    assert handle_base("Acme Dental, S.L.") == "acme-dental-s-l"
    assert handle_base("Café Über") == "cafe-uber"
    assert handle_base("A") == "a-assistant"
    assert handle_base("日本") == "assistant"
    assert len(handle_base("x" * 100)) == 33


async def test_get_mine_creates_the_workspace_once(product: ProductHarness) -> None:
    client = await member_client(product)
    first = await call(client, "workspaces.get_mine")
    assert first["handle"] == "acme-dental"
    assert first["display_name"] == "Acme Dental"
    assert (first["tone"], first["timezone"], first["redirects"]) == ("friendly", "UTC", [])
    assert await call(client, "workspaces.get_mine") == first


async def test_concurrent_first_use_by_orgs_whose_names_collide_gives_unique_handles(product: ProductHarness) -> None:
    clients = [await member_client(product, "Sunny Smiles") for _ in range(8)]
    answers = await asyncio.gather(*(c.post("/rpc/workspaces.get_mine", json={}) for c in clients))
    assert [a.status_code for a in answers] == [200] * 8, [a.text for a in answers]
    handles = [a.json()["handle"] for a in answers]
    assert len(set(handles)) == 8
    assert "sunny-smiles" in handles
    assert all(h == "sunny-smiles" or h.startswith("sunny-smiles-") for h in handles)


async def test_concurrent_first_use_by_one_org_makes_one_workspace(product: ProductHarness) -> None:
    client = await member_client(product)
    answers = await asyncio.gather(*(client.post("/rpc/workspaces.get_mine", json={}) for _ in range(5)))
    assert len({a.json()["id"] for a in answers}) == 1
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM workspace_handles") == 1


async def test_update_and_handle_change_keeps_a_redirect_for_30_days(product: ProductHarness) -> None:
    client = await member_client(product)
    await call(client, "workspaces.get_mine")
    updated = await call(
        client,
        "workspaces.update",
        {
            "handle": "acme-smiles",
            "tone": "concise",
            "timezone": "Europe/Madrid",
            "tagline": "Smile",
            "knowledge_base": "Open 9-5",
        },
    )
    assert (updated["handle"], updated["tone"], updated["timezone"]) == ("acme-smiles", "concise", "Europe/Madrid")
    assert updated["redirects"] == ["acme-dental"]
    # Another organization cannot take the old handle while it redirects...
    other = await member_client(product, "Other")
    await call(other, "workspaces.get_mine")
    refused = await call(other, "workspaces.update", {"handle": "acme-dental"}, status=409)
    assert refused["error"]["code"] == "handle_taken"
    # ...but can once the 30 days have passed.
    product.t.clock.advance(seconds=int(dt.timedelta(days=31).total_seconds()))
    await sign_in_again(product, client)
    await sign_in_again(product, other)
    assert (await call(client, "workspaces.get_mine"))["redirects"] == []
    assert (await call(other, "workspaces.update", {"handle": "acme-dental"}))["handle"] == "acme-dental"


async def test_taking_back_an_old_handle(product: ProductHarness) -> None:
    client = await member_client(product)
    await call(client, "workspaces.get_mine")
    await call(client, "workspaces.update", {"handle": "new-name"})
    back = await call(client, "workspaces.update", {"handle": "acme-dental"})
    assert (back["handle"], back["redirects"]) == ("acme-dental", ["new-name"])


async def test_bad_handles_and_timezones_are_refused(product: ProductHarness) -> None:
    client = await member_client(product)
    assert (await call(client, "workspaces.update", {"handle": "admin"}, 400))["error"]["code"] == "handle_reserved"
    for bad in ("ab", "Upper", "double--hyphen", "-edge", "x" * 41):
        assert (await call(client, "workspaces.update", {"handle": bad}, 400))["error"]["code"] == "invalid_input"
    for zone in ("Mars/Olympus", "../../etc/passwd", "utc "):
        response = await call(client, "workspaces.update", {"timezone": zone}, 400)
        assert response["error"]["code"] == "unknown_timezone"
    too_long = {"knowledge_base": "x" * 20_001}
    assert (await call(client, "workspaces.update", too_long, 400))["error"]["code"] == "invalid_input"


async def test_services_create_update_reorder_delete(product: ProductHarness) -> None:
    client = await member_client(product)
    cleaning = await call(
        client, "services.create", {"name": "Cleaning", "duration_minutes": 30, "price": "45.50", "currency": "EUR"}
    )
    whitening = await call(
        client, "services.create", {"name": "Whitening", "duration_minutes": 60, "price": "120", "currency": "EUR"}
    )
    assert (cleaning["price"], cleaning["display_order"], whitening["display_order"]) == ("45.50", 0, 1)
    changed = await call(client, "services.update", {"id": cleaning["id"], "price": "50.00", "active": False})
    assert (changed["price"], changed["active"], changed["name"]) == ("50.00", False, "Cleaning")
    order = await call(client, "services.reorder", {"ids": [whitening["id"], cleaning["id"]]})
    assert [s["name"] for s in order["services"]] == ["Whitening", "Cleaning"]
    await call(client, "services.delete", {"id": whitening["id"]})
    assert [s["name"] for s in (await call(client, "services.list"))["services"]] == ["Cleaning"]
    gone = await call(client, "services.delete", {"id": whitening["id"]}, 404)
    assert gone["error"]["code"] == "service_not_found"
    bad = await call(
        client, "services.create", {"name": "X", "duration_minutes": 0, "price": "-1", "currency": "eur"}, 400
    )
    assert {f["path"] for f in bad["error"]["fields"]} >= {"duration_minutes"}


CALENDLY = {"type": "calendly", "scheduling_url": "https://calendly.com/acme/cleaning"}
SQUARE = {"type": "square", "booking_url": "https://acme.square.site/book", "location_id": "L123456"}


async def test_connector_config_is_validated_per_type(product: ProductHarness) -> None:
    client = await member_client(product)
    made = await call(client, "connectors.create", {"config": CALENDLY})
    assert (made["config"], made["active"]) == (CALENDLY, False)
    for config in (
        {"type": "calendly", "scheduling_url": "http://calendly.com/acme"},
        {"type": "calendly", "scheduling_url": "https://calendly.com.evil.example/acme"},
        {"type": "calendly", "booking_url": "https://calendly.com/acme"},
        {"type": "square", "booking_url": "https://acme.square.site/book"},
        {"type": "zoom", "url": "https://zoom.us"},
    ):
        assert (await call(client, "connectors.create", {"config": config}, 400))["error"]["code"] == "invalid_input"


async def test_one_active_connector_and_activation_switches_atomically(product: ProductHarness) -> None:
    client = await member_client(product)
    first = await call(client, "connectors.create", {"config": CALENDLY})
    second = await call(client, "connectors.create", {"config": SQUARE})
    await call(client, "connectors.activate", {"id": first["id"]})
    await call(client, "connectors.activate", {"id": second["id"]})
    listed = (await call(client, "connectors.list"))["connectors"]
    assert [(c["id"], c["active"]) for c in listed] == [(first["id"], False), (second["id"], True)]
    await call(client, "connectors.deactivate", {"id": second["id"]})
    assert not any(c["active"] for c in (await call(client, "connectors.list"))["connectors"])


async def test_concurrent_activations_leave_exactly_one_active(product: ProductHarness) -> None:
    client = await member_client(product)
    ids = [(await call(client, "connectors.create", {"config": CALENDLY}))["id"] for _ in range(4)]
    for _ in range(3):
        answers = await asyncio.gather(*(client.post("/rpc/connectors.activate", json={"id": i}) for i in ids))
        assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
        active = await product.t.db.owner.fetchval("SELECT count(*) FROM connectors WHERE active")
        assert active == 1


async def test_two_orgs_racing_for_one_new_handle_one_wins(product: ProductHarness) -> None:
    clients = [await member_client(product, f"Org {n}") for n in range(4)]
    for client in clients:
        await call(client, "workspaces.get_mine")
    answers = await asyncio.gather(*(c.post("/rpc/workspaces.update", json={"handle": "the-prize"}) for c in clients))
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409], [a.text for a in answers]
    holders = await product.t.db.owner.fetchval("SELECT count(*) FROM workspace_handles WHERE handle = 'the-prize'")
    assert holders == 1
    # The losers kept their own handle (their retirement of it rolled back with the refusal).
    current = await product.t.db.owner.fetchval("SELECT count(*) FROM workspace_handles WHERE expires_at IS NULL")
    assert current == 4
