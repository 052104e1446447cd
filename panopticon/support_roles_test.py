"""Role gating of the support tools, from the registry: every route's minimum role is the one
panopticon/README.md's permission table states; each role below it gets 403
`insufficient_role`, an audit row for the attempt (administrators' chain, committed though the
call is refused) and changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

from database import audit
from database.testing.fixture import T
from panopticon.audit.record import DENIED
from panopticon.routes import router
from panopticon.rpc import ROLES
from panopticon.support_testing import audit_rows, call
from panopticon.testing import panopticon_harness

README = Path(__file__).with_name("README.md")
SUPPORT_PREFIXES = ("search.", "users.", "orgs.", "audit.", "system.status")


def _table() -> dict[str, str]:
    """route -> minimum role, from the README's permission table (`| \\`a\\`, \\`b\\` | role | ... |`)."""
    table: dict[str, str] = {}
    for line in README.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[1] in ROLES:
            for route in re.findall(r"`([a-z_.]+)`", cells[0]):
                table[route] = cells[1]
    return table


def test_the_readme_permission_table_states_every_routes_role() -> None:
    table = _table()
    registry = {name: spec.role for name, spec in router.routes.items() if spec.role is not None}
    assert table == registry


async def test_each_role_below_a_routes_minimum_is_refused_and_audited(t: T) -> None:
    org = await t.factory.org(name="Acme")
    user = await t.factory.user()
    await t.factory.membership(org, user, "owner")
    await t.factory.session(user)
    bodies = {
        "users.sessions.revoke": {"user_id": user.id},
        "users.disable": {"user_id": user.id, "reason": "r"},
        "users.enable": {"user_id": user.id, "reason": "r"},
        "users.verification.resend": {"user_id": user.id},
        "users.password_reset.send": {"user_id": user.id},
        "orgs.members.remove": {"org_id": org.id, "user_id": user.id, "reason": "r"},
        "orgs.invites.cancel": {"org_id": org.id, "invite_id": "inv_" + "0" * 26, "reason": "r"},
        "orgs.ownership.transfer": {"org_id": org.id, "user_id": user.id, "reason": "r"},
        "orgs.delete": {"org_id": org.id, "confirm_name": "Acme", "reason": "r"},
    }
    support_routes = {n: s for n, s in router.routes.items() if n.startswith(SUPPORT_PREFIXES)}
    gated = {n: s.role for n, s in support_routes.items() if s.role != "viewer"}
    assert set(gated) == set(bodies)  # a new gated route needs its body here
    denied = 0
    async with panopticon_harness(t) as pan:
        for role in ROLES[:-1]:
            async with pan.signed_in(f"{role}@example.com", role) as (admin, client):
                for name, minimum in gated.items():
                    if ROLES.index(role) >= ROLES.index(minimum):
                        continue
                    response = await call(client, name, **bodies[name])
                    assert response.status_code == 403, (role, name, response.text)
                    error = response.json()["error"]
                    assert (error["code"], error["required_role"]) == ("insufficient_role", minimum)
                    denied += 1
                    row = (await audit_rows(t, DENIED))[-1]
                    assert (row["chain"], row["actor_admin_id"], row["target"]) == (audit.ADMIN, admin.id, name)
                    assert row["after"] == {"role": role, "required_role": minimum}
                    assert row["request_id"] and row["client_address"] == "127.0.0.1"
    assert denied == len(await audit_rows(t, DENIED)) > 10
    # Nothing changed: the org, its owner, the session, no mail.
    assert await t.db.owner.fetchval("SELECT count(*) FROM memberships WHERE org_id = $1", org.id) == 1
    assert await t.db.owner.fetchval("SELECT count(*) FROM sessions WHERE user_id = $1", user.id) == 1
    assert await t.db.owner.fetchval("SELECT disabled_at FROM users WHERE id = $1", user.id) is None
    assert await t.db.owner.fetchval("SELECT count(*) FROM outbox") == 0


async def test_every_viewer_route_answers_a_viewer(t: T) -> None:
    user = await t.factory.user()
    org = await t.factory.org()
    bodies = {
        "search.users": {"query": "a"},
        "search.orgs": {"query": "a"},
        "users.get": {"user_id": user.id},
        "orgs.get": {"org_id": org.id},
        "audit.list": {},
        "system.status": {},
    }
    viewer_routes = {n for n, s in router.routes.items() if n.startswith(SUPPORT_PREFIXES) and s.role == "viewer"}
    assert viewer_routes == set(bodies)
    async with panopticon_harness(t) as pan, pan.signed_in("viewer@example.com", "viewer") as (_, viewer):
        for name, body in bodies.items():
            response = await call(viewer, name, **body)
            assert response.status_code == 200, (name, response.text)


async def test_without_a_session_every_support_route_is_401_and_jsonrpc_refusals_are_audited(t: T) -> None:
    names = sorted(n for n in router.routes if n.startswith(SUPPORT_PREFIXES))
    async with panopticon_harness(t) as pan:
        async with pan.client() as anonymous:
            for name in names:
                response = await call(anonymous, name)
                assert response.status_code == 401, (name, response.text)
        assert await audit_rows(t, DENIED) == []  # nobody to attribute: no row
        async with pan.signed_in("viewer@example.com", "viewer") as (admin, viewer):
            body = {"jsonrpc": "2.0", "method": "users.disable", "params": {"user_id": "usr_" + "0" * 26}, "id": 1}
            response = await viewer.post("/jsonrpc", json=body, headers={"origin": "https://panopticon.test"})
            assert response.json()["error"]["data"]["code"] == "insufficient_role"
    (row,) = await audit_rows(t, DENIED)
    assert (row["actor_admin_id"], row["target"]) == (admin.id, "users.disable")
