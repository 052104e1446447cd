"""What an impersonation (an administrator acting as the user) may not do or outlive: review
findings. It mints no credential or identity that would outlive it, and it ends when its
administrator is disabled or loses the role that may start it."""

from __future__ import annotations

import pytest

from database.testing.fixture import T
from product.accounts.sessions import COOKIE_NAME
from product.testing import ProductHarness, impersonated_session


def _cookie(token: str) -> dict[str, str]:
    return {"cookie": f"{COOKIE_NAME}={token}"}


async def _owner_impersonated(t: T, writes: bool = True) -> tuple[str, str, str, str]:
    """(session token, admin id, impersonation id, org id) of an impersonation of an org's owner."""
    org = await t.factory.org(name="Acme")
    user = await t.factory.user(email="acme@example.com")
    await t.factory.membership(org, user, "owner")
    token, admin_id, impersonation_id = await impersonated_session(t, user_id=user.id, org_id=org.id, writes=writes)
    return token, admin_id, impersonation_id, org.id


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("personal_tokens.create", {"name": "backdoor", "scope": "write"}),
        ("api_keys.create", {"name": "backdoor", "scope": "write"}),
        ("members.invite", {"email": "admin@example.com", "role": "admin"}),
        ("members.provision", {"email": "admin@example.com", "display_name": "Admin"}),
        ("auth.password.change", {"current_password": "x" * 12, "new_password": "y" * 12}),
    ],
)
async def test_a_writes_impersonation_mints_no_credential_that_outlives_it(
    product: ProductHarness, route: str, body: dict[str, str]
) -> None:
    token, _, _, _ = await _owner_impersonated(product.t)
    response = await product.http.post(f"/rpc/{route}", json=body, headers=_cookie(token))
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "not_during_impersonation"
    async with product.t.db.owner.acquire() as conn:
        rows = await conn.fetchval(
            "SELECT (SELECT count(*) FROM personal_access_tokens) + (SELECT count(*) FROM api_keys)"
            " + (SELECT count(*) FROM invites) + (SELECT count(*) FROM users WHERE email = 'admin@example.com')"
        )
    assert rows == 0
    writes = await product.http.post("/rpc/orgs.rename", json={"name": "Renamed"}, headers=_cookie(token))
    assert writes.status_code == 200, writes.text  # other writes are what `writes` allowed


async def test_disabling_the_administrator_ends_their_impersonation_at_once(product: ProductHarness) -> None:
    token, admin_id, _, _ = await _owner_impersonated(product.t)
    assert (await product.http.post("/rpc/members.list", json={}, headers=_cookie(token))).status_code == 200
    await product.t.db.owner.execute("UPDATE admins SET disabled_at = now() WHERE id = $1", admin_id)
    after = await product.http.post("/rpc/orgs.rename", json={"name": "Taken"}, headers=_cookie(token))
    assert after.status_code == 401, after.text


@pytest.mark.parametrize(
    ("writes", "role", "lives"), [(True, "support", False), (False, "support", True), (False, "viewer", False)]
)
async def test_a_demoted_administrator_keeps_only_the_impersonation_their_role_may_start(
    product: ProductHarness, writes: bool, role: str, lives: bool
) -> None:
    token, admin_id, _, _ = await _owner_impersonated(product.t, writes=writes)
    await product.t.db.owner.execute("UPDATE admins SET role = $2 WHERE id = $1", admin_id, role)
    after = await product.http.post("/rpc/members.list", json={}, headers=_cookie(token))
    assert after.status_code == (200 if lives else 401), after.text


async def test_an_ended_impersonation_is_refused_even_before_its_sessions_are_deleted(product: ProductHarness) -> None:
    token, _, impersonation_id, _ = await _owner_impersonated(product.t)
    await product.t.db.owner.execute("UPDATE impersonations SET ended_at = now() WHERE id = $1", impersonation_id)
    after = await product.http.post("/rpc/members.list", json={}, headers=_cookie(token))
    assert after.status_code == 401, after.text
