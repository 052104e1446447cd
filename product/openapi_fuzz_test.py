"""Schemathesis over the product's OpenAPI documents (its own and the demo routes it serves
outside production), against the app on the test database, as an owner with an active
organization: bounded and derandomized (`foundation.rpc.openapi_fuzz` says what is checked)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from database.testing.fixture import T
from foundation.rpc import openapi_fuzz
from product.accounts.sessions import COOKIE_NAME
from product.testing import ProductHarness, product_harness, signed_in_session

HERE = Path(__file__).parent
DOCUMENTS = {"product": HERE / "openapi.json", "demo": HERE / "demo" / "openapi.json"}
SCHEMAS = {name: openapi_fuzz.load(path) for name, path in DOCUMENTS.items()}
CASES = [(name, label) for name, path in DOCUMENTS.items() for label in openapi_fuzz.operations(path)]


@pytest.fixture
async def product(t: T) -> AsyncIterator[ProductHarness]:
    # Rate limits would answer 429 to the fuzzer's bursts and hide what the routes do.
    async with product_harness(t, BLOSSOM_DISABLE_RATE_LIMITS="1") as harness:
        yield harness


def test_every_json_route_is_fuzzed() -> None:
    labels = {label for _, label in CASES}
    assert {"POST /rpc/auth.signup", "POST /rpc/orgs.rename", "GET /rpc/members.list", "POST /rpc/demo.echo"} <= labels
    assert "POST /rpc/demo.count" not in labels  # a stream


@pytest.mark.parametrize(("document", "label"), CASES, ids=[label for _, label in CASES])
async def test_route_answers_every_request_as_its_schema_says(
    product: ProductHarness, document: str, label: str
) -> None:
    t = product.t
    owner = await t.factory.user(email="owner@fuzz.example")

    async def owner_session() -> dict[str, str]:
        # Each request gets a fresh session in a fresh organization: an example that logs out,
        # leaves, renames or deletes does not change what the next one finds.
        org = await t.factory.org(name="Fuzzed")
        await t.factory.membership(org, owner, "owner")
        token = await signed_in_session(t, user_id=owner.id, org_id=org.id)
        return {"cookie": f"{COOKIE_NAME}={token}"}

    await openapi_fuzz.fuzz(SCHEMAS[document], label, product.http, owner_session)
