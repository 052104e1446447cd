"""Panopticon's support tools against the product, end to end (here in tools/, the one layer
that may import both apps): a product user of an organization reaches no panopticon route with
their cookie; an administrator's disabling ends the user's session and login at once; the mail
actions reach the user through the product's own outbox worker."""

from __future__ import annotations

from database.testing.fixture import T
from panopticon.admins.sessions import SECURE_COOKIE_NAME
from panopticon.routes import router
from panopticon.support_testing import ORIGIN, ok
from panopticon.testing import panopticon_harness
from product.testing import PASSWORD, product_harness


async def test_a_product_member_of_an_org_reaches_no_panopticon_route(t: T) -> None:
    async with product_harness(t) as product, panopticon_harness(t) as pan:
        await product.sign_up_and_in(product.http, "member@example.com")
        created = await product.http.post("/rpc/orgs.create", json={"name": "Org A"})
        assert created.status_code == 200, created.text
        token = product.http.cookies.get("blossom_session")
        assert token
        before = await t.db.owner.fetchval("SELECT count(*) FROM platform_audit_log WHERE chain = 'admin'")
        for name in sorted(router.routes):
            spec = router.routes[name]
            if spec.auth == "public":
                continue
            for cookie in (f"blossom_session={token}", f"{SECURE_COOKIE_NAME}={token}"):
                response = await pan.http.post(f"/rpc/{name}", json={}, headers={"cookie": cookie, **ORIGIN})
                assert response.status_code == 401, (name, cookie, response.text)
        after = await t.db.owner.fetchval("SELECT count(*) FROM platform_audit_log WHERE chain = 'admin'")
        assert after == before


async def test_disabling_a_user_ends_their_session_and_login_at_once(t: T) -> None:
    async with (
        product_harness(t) as product,
        panopticon_harness(t) as pan,
        pan.signed_in("op@example.com", "operator") as (_, op),
    ):
        init = await product.sign_up_and_in(product.http, "frank@example.com")
        user_id = init["user"]["id"]
        assert (await product.http.post("/rpc/auth.sessions.list", json={})).status_code == 200
        await ok(op, "users.disable", user_id=user_id, reason="chargeback")
        assert (await product.http.post("/rpc/auth.sessions.list", json={})).status_code == 401
        login = await product.client().post(
            "/rpc/auth.login", json={"email": "frank@example.com", "password": PASSWORD}
        )
        assert login.status_code == 401
        await ok(op, "users.enable", user_id=user_id, reason="resolved")
        login = await product.client().post(
            "/rpc/auth.login", json={"email": "frank@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text


async def test_support_mail_actions_arrive_through_the_products_worker(t: T) -> None:
    async with (
        product_harness(t) as product,
        panopticon_harness(t) as pan,
        pan.signed_in("support@example.com", "support") as (_, support),
    ):
        signup = await product.http.post(
            "/rpc/auth.signup", json={"email": "gina@example.com", "password": PASSWORD, "display_name": "Gina"}
        )
        assert signup.status_code == 200
        first_code = await product.last_code("gina@example.com")
        user_id = await t.db.owner.fetchval("SELECT id FROM users WHERE email = 'gina@example.com'")
        await ok(support, "users.verification.resend", user_id=user_id, reason="mail lost")
        resent = await product.last_code("gina@example.com")
        assert resent != first_code
        verify = await product.http.post("/rpc/auth.email.verify", json={"token": resent})
        assert verify.status_code == 200, verify.text
        await ok(support, "users.password_reset.send", user_id=user_id)
        reset_code = await product.last_code("gina@example.com")
        confirm = await product.http.post(
            "/rpc/auth.password.reset_confirm", json={"token": reset_code, "new_password": "a brand new passphrase"}
        )
        assert confirm.status_code == 200, confirm.text
