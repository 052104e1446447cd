"""Customers and administrators never cross: a product session reaches nothing of panopticon, and
an administrator's session calls no product route (different cookies, keys and tables). Here in
tools/ because it is the one layer that may import both apps."""

from __future__ import annotations

from database.testing.fixture import T
from panopticon.admins.sessions import SECURE_COOKIE_NAME
from panopticon.testing import panopticon_harness
from product.testing import product_harness


async def test_a_product_session_reaches_nothing_of_panopticon(t: T) -> None:
    async with product_harness(t) as product, panopticon_harness(t) as pan:
        await product.sign_up_and_in(product.http, "customer@example.com")
        token = product.http.cookies.get("blossom_session")
        assert token
        # The product cookie as it is, and its token under panopticon's cookie name.
        for cookie in (f"blossom_session={token}", f"{SECURE_COOKIE_NAME}={token}"):
            for route in ("system.whoami", "auth.me", "admins.list"):
                response = await pan.http.get(f"/rpc/{route}", headers={"cookie": cookie})
                assert response.status_code == 401, (route, cookie, response.text)


async def test_an_admin_session_calls_no_product_route(t: T) -> None:
    async with (
        product_harness(t) as product,
        panopticon_harness(t) as pan,
        pan.signed_in("root@example.com", "owner") as (_, admin),
    ):
        token = admin.cookies.get(SECURE_COOKIE_NAME)
        assert token
        assert (await admin.get("/rpc/system.whoami")).status_code == 200
        for cookie in (f"{SECURE_COOKIE_NAME}={token}", f"blossom_session={token}"):
            init = await product.http.post("/rpc/auth.init", json={}, headers={"cookie": cookie})
            assert init.json()["user"] is None
            sessions = await product.http.post("/rpc/auth.sessions.list", json={}, headers={"cookie": cookie})
            assert sessions.status_code == 401
