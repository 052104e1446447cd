"""Schemathesis over panopticon's OpenAPI document, against the app on the test database, as an
administrator: bounded and derandomized (`foundation.rpc.openapi_fuzz` says what is checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from database.testing.app_checks import rpc_client
from database.testing.fixture import T
from foundation.rpc import openapi_fuzz
from panopticon.app import create_app

DOCUMENT = Path(__file__).with_name("openapi.json")
SCHEMA = openapi_fuzz.load(DOCUMENT)
LABELS = openapi_fuzz.operations(DOCUMENT)


async def admin() -> dict[str, str]:
    return {"x-test-principal": "admin=adm_fuzz"}


@pytest.mark.parametrize("label", LABELS)
async def test_route_answers_every_request_as_its_schema_says(t: T, label: str) -> None:
    async with rpc_client(t, create_app) as client:
        await openapi_fuzz.fuzz(SCHEMA, label, client, admin)
