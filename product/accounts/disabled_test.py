"""A disabled account (`users.disabled_at`, set by panopticon's `users.disable`): its login is
refused exactly as a wrong password is, and no session of it authenticates, even one that
outlived the disabling; re-enabled, it logs in again. And the verification job panopticon queues."""

from __future__ import annotations

from database.testing.fixture import T
from product.accounts.verification import VERIFICATION_REQUESTED
from product.api_keys.testing import api_key_token, personal_token
from product.testing import PASSWORD, ProductHarness


async def _set_disabled(t: T, email: str, disabled: bool) -> None:
    await t.db.owner.execute(
        "UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END WHERE email = $1", email, disabled
    )


async def test_a_disabled_account_cannot_log_in_and_its_sessions_stop_working(t: T, product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "eve@example.com")
    assert (await product.http.post("/rpc/auth.sessions.list", json={})).status_code == 200
    await _set_disabled(t, "eve@example.com", True)
    # The session row still exists (panopticon deletes them too): the lookup alone refuses it.
    assert (await product.http.post("/rpc/auth.sessions.list", json={})).status_code == 401
    assert (await product.http.post("/rpc/auth.init", json={})).json()["user"] is None
    login = await product.client().post("/rpc/auth.login", json={"email": "eve@example.com", "password": PASSWORD})
    wrong = await product.client().post("/rpc/auth.login", json={"email": "eve@example.com", "password": "nope" * 4})
    assert login.status_code == wrong.status_code == 401
    assert login.json()["error"] == wrong.json()["error"]
    await _set_disabled(t, "eve@example.com", False)
    again = await product.client().post("/rpc/auth.login", json={"email": "eve@example.com", "password": PASSWORD})
    assert again.status_code == 200, again.text


async def test_the_verification_job_mails_a_new_code_unless_verified(t: T, product: ProductHarness) -> None:
    pending = await t.factory.user(email="new@example.test")
    verified = await t.factory.user(email="done@example.test", verified=True)
    async with t.db.owner.acquire() as conn:
        for user in (pending, verified):
            await conn.execute(
                "INSERT INTO outbox (kind, payload, available_at, created_at) VALUES ($1, $2, $3, $3)",
                VERIFICATION_REQUESTED,
                f'{{"user_id": "{user.id}"}}',
                t.clock.now(),
            )
    mail = await product.sent_mail()
    assert [(m.to, m.subject) for m in mail] == [("new@example.test", "Confirm your email")]
    code = await product.last_code("new@example.test")
    assert (await product.http.post("/rpc/auth.email.verify", json={"token": code})).status_code == 200
    assert await t.db.owner.fetchval("SELECT email_verified_at FROM users WHERE id = $1", pending.id) is not None


async def test_a_disabled_users_bearer_tokens_stop_too(t: T, product: ProductHarness) -> None:
    user = await t.factory.user()
    org = await t.factory.org()
    await t.factory.membership(org, user, "owner")
    personal = await personal_token(t, user_id=user.id)
    org_key = await api_key_token(t, org_id=org.id, user_id=user.id)
    async with product.client() as bare:

        async def status(token: str, route: str) -> int:
            return (await bare.post(f"/rpc/{route}", json={}, headers={"authorization": f"Bearer {token}"})).status_code

        assert await status(personal, "orgs.list") == 200
        assert await status(org_key, "members.list") == 200
        await t.db.owner.execute("UPDATE users SET disabled_at = now() WHERE id = $1", user.id)
        assert await status(personal, "orgs.list") == 401
        assert await status(org_key, "members.list") == 401
