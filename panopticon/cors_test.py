"""Panopticon serves no cross-origin calls: the product frontend's CORS origins
(CORS_ALLOWED_ORIGINS) are not panopticon's, so a script on the customer app (same site: SameSite=Strict
does not stop it) cannot drive the console as the signed-in administrator (review finding)."""

from __future__ import annotations

from database.testing.fixture import T
from panopticon.testing import panopticon_harness

PRODUCT_FRONTEND = "https://app.example"


async def test_the_products_frontend_origin_cannot_call_panopticon_with_the_admin_cookie(t: T) -> None:
    async with panopticon_harness(t, CORS_ALLOWED_ORIGINS=PRODUCT_FRONTEND) as pan:  # noqa: SIM117 (pan is used by the inner one)
        async with pan.signed_in("owner@admins.example", "owner") as (_, browser):
            preflight = await browser.options(
                "/rpc/admins.list",
                headers={"origin": PRODUCT_FRONTEND, "access-control-request-method": "POST"},
            )
            called = await browser.post(
                "/rpc/admins.list", json={}, headers={"origin": PRODUCT_FRONTEND, "sec-fetch-site": "same-site"}
            )
    assert called.status_code == 403, f"credentialed call from the product's origin answered: {called.text[:200]}"
    assert preflight.status_code == 403, f"preflight from the product's origin allowed: {preflight.headers}"
