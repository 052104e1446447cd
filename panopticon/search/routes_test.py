"""Search over HTTP (case-insensitive prefixes of email, name and id; pages by cursor) and the
plan PostgreSQL picks for it on a table big enough that a sequential scan would be its choice
if the indexes did not serve the query, read as panopticon's own role."""

from __future__ import annotations

import json
from typing import Any

import pytest

from database.testing.fixture import T
from panopticon.search import queries
from panopticon.support_testing import call, ok
from panopticon.testing import PanopticonHarness, panopticon_harness

BULK = 20_000


@pytest.fixture
async def pan(t: T):
    async with panopticon_harness(t) as harness:
        yield harness


async def test_users_are_found_by_email_name_or_id_prefix_in_any_case(t: T, pan: PanopticonHarness) -> None:
    ada = await t.factory.user(email="ada.lovelace@example.test", display_name="Countess of Lovelace")
    bob = await t.factory.user(email="bob@example.test", display_name="Ada Bobbins")
    await t.factory.user(email="carol@example.test", display_name="Carol")
    literal = await t.factory.user(email="a_b%c@example.test", display_name="Percent")
    async with pan.signed_in("viewer@example.com", "viewer") as (_, viewer):

        async def ids(query: str) -> list[str]:
            return [u["id"] for u in (await ok(viewer, "search.users", query=query))["users"]]

        assert await ids("ADA") == [bob.id, ada.id]  # email or name; newest first
        assert await ids("countess") == [ada.id]
        assert await ids(ada.id[:-3].upper()) == [ada.id]
        assert await ids(bob.id) == [bob.id]
        assert await ids("a_b%") == [literal.id]  # no wildcards: `_` and `%` are themselves
        assert await ids("a%") == []
        assert await ids("zzz") == []
        hit = (await ok(viewer, "search.users", query="bob@"))["users"][0]
        assert hit == {
            "id": bob.id,
            "email": "bob@example.test",
            "display_name": "Ada Bobbins",
            "verified": False,
            "disabled": False,
            "created_at": hit["created_at"],
        }
        empty = await call(viewer, "search.users", query="")
        assert empty.status_code == 400 and empty.json()["error"]["fields"][0]["path"] == "query"


async def test_search_pages_by_cursor(t: T, pan: PanopticonHarness) -> None:
    users = [await t.factory.user(email=f"page{n:02}@example.test") for n in range(7)]
    async with pan.signed_in("viewer@example.com", "viewer") as (_, viewer):
        seen: list[str] = []
        cursor: str | None = None
        for _ in range(4):
            body: dict[str, Any] = {"query": "PAGE", "limit": 3} | ({"cursor": cursor} if cursor else {})
            page = await ok(viewer, "search.users", **body)
            seen += [u["id"] for u in page["users"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [u.id for u in reversed(users)] and cursor is None


async def test_orgs_are_found_by_name_or_id_prefix(t: T, pan: PanopticonHarness) -> None:
    acme = await t.factory.org(name="Acme Rockets")
    await t.factory.membership(acme, await t.factory.user(), "owner")
    other = await t.factory.org(name="acme labs")
    await t.factory.org(name="Globex")
    async with pan.signed_in("viewer@example.com", "viewer") as (_, viewer):
        found = await ok(viewer, "search.orgs", query="ACME")
        assert [(o["id"], o["members"]) for o in found["orgs"]] == [(other.id, 0), (acme.id, 1)]
        assert [o["id"] for o in (await ok(viewer, "search.orgs", query=acme.id))["orgs"]] == [acme.id]
        first = await ok(viewer, "search.orgs", query="acme", limit=1)
        assert [o["id"] for o in first["orgs"]] == [other.id] and first["next_cursor"] == other.id
        rest = await ok(viewer, "search.orgs", query="acme", limit=1, cursor=first["next_cursor"])
        assert [o["id"] for o in rest["orgs"]] == [acme.id] and rest["next_cursor"] is None


def _scans(plan: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    found = [(plan["Node Type"], plan.get("Relation Name"), plan.get("Index Name"))]
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


async def _plan(
    pan: PanopticonHarness, sql: str, *args: object, generic: bool = False
) -> list[tuple[str, str | None, str | None]]:
    """The plan as blossom_panopticon gets it (its policies and grants apply)."""
    options = "GENERIC_PLAN, FORMAT JSON" if generic else "FORMAT JSON"
    async with pan.database.pool.acquire() as conn:
        assert await conn.fetchval("SELECT current_user") == "blossom_panopticon"
        raw = await conn.fetchval(f"EXPLAIN ({options}) {sql}", *args)
    return _scans(json.loads(raw)[0]["Plan"])


async def test_the_search_plans_use_the_indexes_not_a_sequential_scan(t: T, pan: PanopticonHarness) -> None:
    await t.db.owner.execute(
        "INSERT INTO users (id, email, display_name, password_hash)"
        " SELECT app_new_id('usr'), 'bulk' || g || '@example.test', 'Bulk User ' || g, 'x'"
        f" FROM generate_series(1, {BULK}) g"
    )
    await t.db.owner.execute(
        f"INSERT INTO orgs (id, name) SELECT app_new_id('org'), 'Bulk Org ' || g FROM generate_series(1, {BULK}) g"
    )
    await t.db.owner.execute("ANALYZE users, orgs")
    # Without the search indexes the planner's choice for the same query is a sequential scan:
    # the indexes, not the table's size, make the difference.
    async with t.db.owner.acquire() as conn:
        dropped = conn.transaction()
        await dropped.start()
        await conn.execute("DROP INDEX users_email_search_idx, users_display_name_search_idx, users_id_search_idx")
        raw = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {queries.SEARCH_USERS_SQL}", "bulk12", None, 26)
        await dropped.rollback()
    assert ("Seq Scan", "users", None) in _scans(json.loads(raw)[0]["Plan"])
    # EXPLAIN (GENERIC_PLAN) is PostgreSQL 16's: the embedded 18 always checks the prepared
    # statement's generic plan too, an older server (the CI's second target) the custom one.
    version = await t.db.owner.fetchval("SELECT current_setting('server_version_num')::int")
    for generic in (False, True) if version >= 160000 else (False,):
        users = await _plan(pan, queries.SEARCH_USERS_SQL, "bulk12", None, 26, generic=generic)
        assert not [s for s in users if s[0] == "Seq Scan"], users
        indexes = {s[2] for s in users}
        assert {"users_email_search_idx", "users_display_name_search_idx", "users_id_search_idx"} <= indexes, users
        orgs = await _plan(pan, queries.SEARCH_ORGS_SQL, "bulk org 12", None, 26, generic=generic)
        assert not [s for s in orgs if s[0] == "Seq Scan" and s[1] == "orgs"], orgs
        assert {"orgs_name_search_idx", "orgs_id_search_idx"} <= {s[2] for s in orgs}, orgs
