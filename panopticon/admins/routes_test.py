"""Administrator identity over HTTP against the real PostgreSQL: enrolment, login with TOTP or a
recovery code, sessions, rate limits, enumeration, role gating, owners managing administrators."""

from __future__ import annotations

import asyncio

import asyncpg
import pyotp
import pytest

from database import audit
from database.testing.fixture import T
from foundation.logging import flush_logs
from panopticon.admins.sessions import IDLE_TIMEOUT, SECURE_COOKIE_NAME
from panopticon.testing import PASSWORD, PanopticonHarness, panopticon_harness


@pytest.fixture
async def pan(t: T):
    async with panopticon_harness(t) as harness:
        yield harness


def _login_body(email: str, code: str | None = None, **extra: str) -> dict[str, str]:
    body = {"email": email, "password": PASSWORD, **extra}
    if code is not None:
        body["totp_code"] = code
    return body


# --- enrolment ------------------------------------------------------------------------------------


async def test_enrolment_gives_an_otpauth_uri_then_recovery_codes_and_spends_the_code(pan: PanopticonHarness) -> None:
    admin_id, code = await pan.invite("Ada@Example.com", "operator")
    started = await pan.http.post("/rpc/auth.enrol.start", json={"code": code, "password": PASSWORD})
    assert started.status_code == 200, started.text
    secret = started.json()["secret"]
    uri = started.json()["otpauth_uri"]
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "issuer=Blossom" in uri
    assert pyotp.parse_uri(uri).secret == secret

    wrong = await pan.http.post("/rpc/auth.enrol.confirm", json={"code": code, "totp_code": "000000"})
    assert wrong.json()["error"]["code"] == "wrong_totp_code"
    confirmed = await pan.http.post("/rpc/auth.enrol.confirm", json={"code": code, "totp_code": pan.totp(secret)})
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10

    again = await pan.http.post("/rpc/auth.enrol.start", json={"code": code, "password": PASSWORD})
    assert again.json()["error"]["code"] == "invalid_enrolment_code"  # one-time

    async with pan.t.db.owner.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM admins WHERE id = $1", admin_id)
        assert row is not None
        stored_codes = await conn.fetch("SELECT code_hash FROM admin_recovery_codes WHERE admin_id = $1", admin_id)
    assert row["email"] == "ada@example.com" and row["enrolment_state"] == "active"
    assert secret.encode() not in row["totp_secret_encrypted"]  # sealed, not stored in the clear
    assert PASSWORD not in row["password_hash"]
    assert len(stored_codes) == 10
    assert not any(c.encode() in bytes(r["code_hash"]) for c in codes for r in stored_codes)


async def test_an_expired_or_unknown_enrolment_code_is_refused(pan: PanopticonHarness) -> None:
    _, code = await pan.invite("late@example.com")
    pan.t.clock.advance(hours=25)
    expired = await pan.http.post("/rpc/auth.enrol.start", json={"code": code, "password": PASSWORD})
    unknown = await pan.http.post("/rpc/auth.enrol.start", json={"code": "x" * 43, "password": PASSWORD})
    assert expired.status_code == unknown.status_code == 400
    assert expired.json()["error"]["code"] == unknown.json()["error"]["code"] == "invalid_enrolment_code"


async def test_confirm_before_start_and_a_common_password_are_refused(pan: PanopticonHarness) -> None:
    _, code = await pan.invite("order@example.com")
    early = await pan.http.post("/rpc/auth.enrol.confirm", json={"code": code, "totp_code": "123456"})
    assert early.json()["error"]["code"] == "enrolment_not_started"
    common = await pan.http.post("/rpc/auth.enrol.start", json={"code": code, "password": "password123"})
    assert common.json()["error"]["code"] == "password_too_common"


# --- login ----------------------------------------------------------------------------------------


async def test_login_with_totp_sets_a_host_prefixed_strict_cookie_and_logout_ends_it(pan: PanopticonHarness) -> None:
    admin = await pan.enrol("ops@example.com", "support")
    async with pan.client() as client:
        response = await client.post("/rpc/auth.login", json=_login_body(admin.email, pan.totp(admin.secret)))
        assert response.status_code == 200, response.text
        assert response.json()["role"] == "support"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{SECURE_COOKIE_NAME}=")
        attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        assert attributes == {"path", "httponly", "samesite", "secure"}  # no Domain, no Max-Age
        assert "SameSite=Strict" in cookie and "Path=/" in cookie
        whoami = await client.get("/rpc/system.whoami")
        assert whoami.json() == {"app": "panopticon", "admin_id": admin.id, "role": "support"}
        assert (await client.post("/rpc/auth.logout", json={})).status_code == 200
        assert (await client.get("/rpc/system.whoami")).status_code == 401
    async with pan.t.db.owner.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM admin_sessions") == 0


async def test_a_totp_code_is_accepted_once_and_a_neighbouring_step_too(pan: PanopticonHarness) -> None:
    admin = await pan.enrol("replay@example.com")
    code = pan.totp(admin.secret)
    first = await pan.client().post("/rpc/auth.login", json=_login_body(admin.email, code))
    replayed = await pan.client().post("/rpc/auth.login", json=_login_body(admin.email, code))
    assert first.status_code == 200
    assert replayed.status_code == 401 and replayed.json()["error"]["code"] == "invalid_credentials"
    # The previous step is within the window, but older than the one used: refused too.
    older = await pan.client().post(
        "/rpc/auth.login", json=_login_body(admin.email, pan.totp(admin.secret, steps_ahead=-1))
    )
    assert older.status_code == 401
    # One step ahead (a device clock running fast) is fine; two are not.
    ahead = await pan.client().post(
        "/rpc/auth.login", json=_login_body(admin.email, pan.totp(admin.secret, steps_ahead=1))
    )
    assert ahead.status_code == 200
    far = await pan.client().post(
        "/rpc/auth.login", json=_login_body(admin.email, pan.totp(admin.secret, steps_ahead=3))
    )
    assert far.status_code == 401


async def test_the_same_totp_code_racing_in_parallel_opens_one_session(pan: PanopticonHarness) -> None:
    admin = await pan.enrol("race@example.com")
    code = pan.totp(admin.secret)
    responses = await asyncio.gather(
        *(pan.client().post("/rpc/auth.login", json=_login_body(admin.email, code)) for _ in range(8))
    )
    assert sorted(r.status_code for r in responses) == [200] + [401] * 7


async def test_a_recovery_code_works_once(pan: PanopticonHarness) -> None:
    admin = await pan.enrol("lost-phone@example.com")
    code = admin.recovery_codes[0]
    body = _login_body(admin.email, recovery_code=code.upper())  # case and hyphens aside
    first = await pan.client().post("/rpc/auth.login", json=body)
    again = await pan.client().post("/rpc/auth.login", json=_login_body(admin.email, recovery_code=code))
    assert first.status_code == 200, first.text
    assert again.status_code == 401
    other = await pan.client().post(
        "/rpc/auth.login", json=_login_body(admin.email, recovery_code=admin.recovery_codes[1])
    )
    assert other.status_code == 200


async def test_the_second_factor_is_mandatory(pan: PanopticonHarness) -> None:
    admin = await pan.enrol("mfa@example.com")
    neither = await pan.http.post("/rpc/auth.login", json=_login_body(admin.email))
    both = await pan.http.post(
        "/rpc/auth.login",
        json=_login_body(admin.email, pan.totp(admin.secret), recovery_code=admin.recovery_codes[0]),
    )
    assert neither.json()["error"]["code"] == both.json()["error"]["code"] == "second_factor_required"
    wrong = await pan.http.post("/rpc/auth.login", json=_login_body(admin.email, "000000"))
    assert wrong.status_code == 401


async def test_unknown_email_wrong_password_and_wrong_code_answer_alike_with_the_same_work(
    pan: PanopticonHarness,
) -> None:
    admin = await pan.enrol("known@example.com")
    _, _ = await pan.invite("invited@example.com")  # never enrolled
    disabled = await pan.enrol("gone@example.com", "viewer")
    async with pan.t.db.owner.acquire() as conn:
        await conn.execute("UPDATE admins SET disabled_at = now() WHERE id = $1", disabled.id)
    attempts = [
        {"email": "nobody@example.com", "password": PASSWORD, "totp_code": "123456"},
        {"email": admin.email, "password": "wrong password!", "totp_code": pan.totp(admin.secret)},
        {"email": admin.email, "password": PASSWORD, "totp_code": "000000"},
        {"email": "invited@example.com", "password": PASSWORD, "totp_code": "123456"},
        {"email": disabled.email, "password": PASSWORD, "totp_code": pan.totp(disabled.secret)},
    ]
    answers, hashes = [], []
    for body in attempts:
        before = pan.hasher.calls
        response = await pan.http.post("/rpc/auth.login", json=body)
        hashes.append(pan.hasher.calls - before)
        answers.append((response.status_code, response.json()["error"]["code"], response.json()["error"]["message"]))
    assert set(answers) == {(401, "invalid_credentials", "wrong email, password or code")}
    assert hashes == [1] * len(attempts)


async def test_login_is_rate_limited_per_account_and_address(pan: PanopticonHarness) -> None:
    admin = await pan.enrol("target@example.com")
    async with pan.client("198.51.100.7") as attacker:
        statuses = [
            (await attacker.post("/rpc/auth.login", json=_login_body(admin.email, "000000"))).status_code
            for _ in range(11)
        ]
    assert statuses == [401] * 10 + [429]
    # The owner, from their own address, still gets in.
    async with pan.client("203.0.113.9") as owner:
        await pan.log_in(owner, admin)


# --- sessions -------------------------------------------------------------------------------------


async def test_an_idle_session_ends_after_thirty_minutes_and_activity_keeps_it(pan: PanopticonHarness) -> None:
    async with pan.signed_in("idle@example.com") as (_, client):
        for _ in range(3):  # active every 20 minutes: an hour in all
            pan.t.clock.advance(minutes=20)
            assert (await client.get("/rpc/system.whoami")).status_code == 200
        pan.t.clock.advance(IDLE_TIMEOUT)
        assert (await client.get("/rpc/system.whoami")).status_code == 401


async def test_a_session_ends_at_its_absolute_lifetime(pan: PanopticonHarness) -> None:
    async with pan.signed_in("long@example.com") as (_, client):
        response = None
        for _ in range(12 * 3):  # busy every 20 minutes for 12 hours
            pan.t.clock.advance(minutes=20)
            response = await client.get("/rpc/system.whoami")
        assert response is not None and response.status_code == 401


async def test_a_forged_or_product_cookie_is_refused(pan: PanopticonHarness) -> None:
    for cookie in (f"{SECURE_COOKIE_NAME}={'a' * 65}", "blossom_session=" + "b" * 65):
        response = await pan.http.get("/rpc/system.whoami", headers={"cookie": cookie})
        assert response.status_code == 401


async def test_a_cookie_call_from_another_origin_is_refused(pan: PanopticonHarness) -> None:
    async with pan.signed_in("csrf@example.com") as (_, client):
        evil = await client.post("/rpc/auth.logout", json={}, headers={"origin": "https://evil.example"})
        cross = await client.post("/rpc/auth.logout", json={}, headers={"sec-fetch-site": "cross-site"})
        assert evil.status_code == cross.status_code == 403
        assert (await client.get("/rpc/system.whoami")).status_code == 200  # still signed in


# --- roles and managing administrators ------------------------------------------------------------


async def test_a_lower_role_gets_403_insufficient_role_and_the_audit_hook_hears_of_it(
    pan: PanopticonHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    async with pan.signed_in("viewer@example.com", "viewer") as (admin, viewer):
        assert (await viewer.get("/rpc/system.whoami")).status_code == 200
        for route in ("admins.list", "admins.invite", "admins.set_role", "admins.disable"):
            response = await viewer.post(f"/rpc/{route}", json={})
            assert response.status_code == 403, route
            assert response.json()["error"]["code"] == "insufficient_role"
            assert response.json()["error"]["required_role"] == "owner"
    flush_logs()  # (loggers keep the format they were first used with: read either)
    captured = capsys.readouterr()
    denials = [line for line in (captured.out + captured.err).splitlines() if "admin.denied" in line]
    assert len(denials) == 4
    for line, route in zip(denials, ("admins.list", "admins.invite", "admins.set_role", "admins.disable"), strict=True):
        assert admin.id in line and route in line and "viewer" in line


async def test_an_owner_invites_promotes_and_disables_and_changes_apply_at_once(pan: PanopticonHarness) -> None:
    async with pan.signed_in("boss@example.com", "owner") as (_, owner):
        invited = await owner.post("/rpc/admins.invite", json={"email": "new@example.com", "role": "viewer"})
        assert invited.status_code == 200, invited.text
        new_id = invited.json()["admin"]["id"]
        assert invited.json()["admin"]["enrolment_state"] == "invited"
        taken = await owner.post("/rpc/admins.invite", json={"email": "NEW@example.com", "role": "owner"})
        assert taken.json()["error"]["code"] == "admin_exists"
        # The invitee enrols with the code the owner got.
        code = invited.json()["enrolment_code"]
        started = await pan.http.post("/rpc/auth.enrol.start", json={"code": code, "password": PASSWORD})
        secret = started.json()["secret"]
        assert (
            await pan.http.post("/rpc/auth.enrol.confirm", json={"code": code, "totp_code": pan.totp(secret)})
        ).status_code == 200
        pan.t.clock.advance(seconds=30)
        async with pan.client() as newcomer:
            login = await newcomer.post("/rpc/auth.login", json=_login_body("new@example.com", pan.totp(secret)))
            assert login.status_code == 200
            assert (await newcomer.get("/rpc/admins.list")).status_code == 403
            promoted = await owner.post("/rpc/admins.set_role", json={"admin_id": new_id, "role": "owner"})
            assert promoted.json()["role"] == "owner"
            listed = await newcomer.get("/rpc/admins.list")  # the very next request
            assert listed.status_code == 200
            assert [a["email"] for a in listed.json()["admins"]] == ["boss@example.com", "new@example.com"]
            disabled = await owner.post("/rpc/admins.disable", json={"admin_id": new_id})
            assert disabled.json()["disabled_at"] is not None
            assert (await newcomer.get("/rpc/system.whoami")).status_code == 401  # sessions ended at once
        missing = await owner.post("/rpc/admins.disable", json={"admin_id": "adm_" + "0" * 26})
        assert missing.json()["error"]["code"] == "admin_not_found"


async def test_the_last_owner_cannot_be_demoted_or_disabled(pan: PanopticonHarness) -> None:
    async with pan.signed_in("only@example.com", "owner") as (owner, client):
        for route, body in (
            ("admins.set_role", {"admin_id": owner.id, "role": "operator"}),
            ("admins.disable", {"admin_id": owner.id}),
        ):
            response = await client.post(f"/rpc/{route}", json=body)
            assert response.status_code == 409 and response.json()["error"]["code"] == "last_owner"
        assert (await client.get("/rpc/admins.list")).json()["admins"][0]["role"] == "owner"


async def test_two_owners_demoting_each_other_at_once_leave_one_owner(pan: PanopticonHarness) -> None:
    for _ in range(5):  # several rounds: the interleaving differs
        await pan.t.db.owner.execute("TRUNCATE admins CASCADE")
        async with (
            pan.signed_in("first@example.com", "owner") as (first, a),
            pan.signed_in("second@example.com", "owner") as (second, b),
        ):
            responses = await asyncio.gather(
                a.post("/rpc/admins.set_role", json={"admin_id": second.id, "role": "viewer"}),
                b.post("/rpc/admins.disable", json={"admin_id": first.id}),
            )
        # The loser is refused by the database (409 last_owner) or, when the winner committed
        # before its request was authenticated, as a viewer already (403) or as a disabled
        # administrator whose session is gone (401).
        statuses = sorted(r.status_code for r in responses)
        assert statuses in ([200, 401], [200, 403], [200, 409]), [r.text for r in responses]
        async with pan.t.db.owner.acquire() as conn:
            owners = await conn.fetchval(
                "SELECT count(*) FROM admins"
                " WHERE role = 'owner' AND disabled_at IS NULL AND enrolment_state = 'active'"
            )
        assert owners == 1


async def test_the_last_owner_rule_holds_when_two_transactions_interleave(pan: PanopticonHarness) -> None:
    """The race pinned down: both demotions run before either commits."""
    first = await pan.enrol("one@example.com", "owner")
    second = await pan.enrol("two@example.com", "owner")
    url = pan.t.db.target.panopticon.render()  # two connections as panopticon's role
    c1, c2 = await asyncpg.connect(url), await asyncpg.connect(url)
    try:
        t1, t2 = c1.transaction(), c2.transaction()
        await t1.start()
        await t2.start()
        await c1.execute("UPDATE admins SET role = 'viewer' WHERE id = $1", second.id)  # sees `one` an owner
        blocked = asyncio.ensure_future(c2.execute("UPDATE admins SET role = 'viewer' WHERE id = $1", first.id))
        await asyncio.sleep(0.2)
        assert not blocked.done()  # waits for the first demotion's lock
        await t1.commit()
        with pytest.raises(asyncpg.CheckViolationError, match="last owner"):
            await blocked
        await t2.rollback()
    finally:
        await c1.close()
        await c2.close()
    async with pan.t.db.owner.acquire() as conn:
        roles = {r["email"]: r["role"] for r in await conn.fetch("SELECT email, role::text FROM admins")}
    assert roles == {"one@example.com": "owner", "two@example.com": "viewer"}


# --- bad input and load ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "raw", "field"),
    [
        ("auth.login", b'{"email": "a\\u0000@b.example", "password": "x", "totp_code": "123456"}', "email"),
        ("auth.login", b'{"email": "a@b.example", "password": "\xff\xfe", "totp_code": "123456"}', ""),
        ("auth.login", b'{"email": "a@b.example", "password": "x", "totp_code": "12345x"}', "totp_code"),
        ("auth.enrol.start", b'{"code": ' + b"[" * 5000 + b"]" * 5000 + b', "password": "x"}', ""),
        ("auth.enrol.confirm", b'{"code": "' + b"c" * 300 + b'", "totp_code": "123456"}', "code"),
    ],
)
async def test_hostile_input_to_public_routes_names_the_field(
    pan: PanopticonHarness, route: str, raw: bytes, field: str
) -> None:
    response = await pan.http.post(f"/rpc/{route}", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_input"
    if field:
        assert field in {f["path"] for f in response.json()["error"]["fields"]}


async def test_hostile_input_to_owner_routes_names_the_field(pan: PanopticonHarness) -> None:
    async with pan.signed_in("careful@example.com") as (_, owner):
        cases = [
            ("admins.invite", {"email": "x@y.example", "role": "god"}, "role"),
            ("admins.invite", {"email": "x\u0000@y.example", "role": "viewer"}, "email"),
            ("admins.set_role", {"admin_id": ["adm_x"] * 100_000, "role": "viewer"}, "admin_id"),
            ("admins.disable", {"admin_id": "usr_" + "0" * 26}, "admin_id"),
            ("admins.disable", {"admin_id": "adm_" + "0" * 26, "extra": 1}, "extra"),
        ]
        for route, body, field in cases:
            response = await owner.post(f"/rpc/{route}", json=body)
            assert response.status_code == 400, (route, response.text)
            assert field in {f["path"] for f in response.json()["error"]["fields"]}, (route, response.text)


async def test_parallel_logins_several_times_the_pool_size(t: T) -> None:
    async with panopticon_harness(t, DATABASE_POOL_SIZE="3") as pan:
        admins = [await pan.enrol(f"crowd{n}@example.com", "viewer") for n in range(12)]
        clients = [pan.client(f"192.0.2.{n + 1}") for n in range(12)]
        responses = await asyncio.gather(
            *(
                client.post("/rpc/auth.login", json=_login_body(admin.email, pan.totp(admin.secret)))
                for client, admin in zip(clients, admins, strict=True)
            )
        )
        assert [r.status_code for r in responses] == [200] * 12, [r.text for r in responses if r.status_code != 200]
        whoami = await asyncio.gather(*(client.get("/rpc/system.whoami") for client in clients))
        assert [w.json()["admin_id"] for w in whoami] == [a.id for a in admins]
        for client in clients:
            await client.aclose()


async def test_racing_confirmations_of_one_code_enrol_once(pan: PanopticonHarness) -> None:
    _, code = await pan.invite("twice@example.com")
    started = await pan.http.post("/rpc/auth.enrol.start", json={"code": code, "password": PASSWORD})
    totp_code = pan.totp(started.json()["secret"])
    responses = await asyncio.gather(
        *(
            pan.client(f"10.9.0.{n + 1}").post("/rpc/auth.enrol.confirm", json={"code": code, "totp_code": totp_code})
            for n in range(6)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] + [400] * 5
    async with pan.t.db.owner.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM admin_recovery_codes") == 10


async def test_racing_invitations_of_one_email_create_one_admin(pan: PanopticonHarness) -> None:
    async with pan.signed_in("inviter@example.com", "owner") as (_, owner):
        responses = await asyncio.gather(
            *(owner.post("/rpc/admins.invite", json={"email": "Same@example.com", "role": "viewer"}) for _ in range(8))
        )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7


async def test_enrolment_login_and_admin_management_write_rows_on_the_admin_chain(pan: PanopticonHarness) -> None:
    async with pan.signed_in("chief@example.com", "owner") as (boss, owner):
        invited = await owner.post("/rpc/admins.invite", json={"email": "aide@example.com", "role": "viewer"})
        aide = invited.json()["admin"]["id"]
        assert (await owner.post("/rpc/admins.set_role", json={"admin_id": aide, "role": "support"})).status_code == 200
        assert (await owner.post("/rpc/admins.disable", json={"admin_id": aide})).status_code == 200
    async with pan.client() as stranger:  # a failed login rolls back: a log line, no row
        failed = await stranger.post("/rpc/auth.login", json=_login_body("chief@example.com", "000000"))
        assert failed.status_code == 401
    async with pan.t.db.owner.acquire() as conn:
        rows = await conn.fetch(
            "SELECT action, actor_admin_id, target, before, after FROM platform_audit_log"
            " WHERE chain = 'admin' ORDER BY seq"
        )
    assert [(r["action"], r["actor_admin_id"], r["target"]) for r in rows] == [
        ("admin.enrolled", boss.id, boss.id),
        ("admin.login", boss.id, boss.id),
        ("admin.invited", boss.id, aide),
        ("admin.role_changed", boss.id, aide),
        ("admin.disabled", boss.id, aide),
    ]
    assert '"support"' in rows[3]["after"] and '"viewer"' in rows[3]["before"]
    async with pan.t.db.owner.acquire() as conn:
        assert (await audit.verify_all(conn))[2] == []
