"""Accounts and sessions over the real app: every security promise has a test that names it."""

import asyncio
import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from foundation.passwords import MIN_LENGTH
from product.accounts import rate_limit
from product.accounts.sessions import ABSOLUTE_LIFETIME, IDLE_TIMEOUT
from product.testing import PASSWORD, ProductHarness, product_harness


async def test_sign_up_then_log_in_sets_a_hardened_session_cookie(product: ProductHarness) -> None:
    response = await product.http.post(
        "/rpc/auth.signup", json={"email": "Ann@Example.com", "password": PASSWORD, "display_name": "Ann"}
    )
    assert response.json() == {"status": "check_your_email"}
    assert (await product.sent_mail())[-1].subject == "Confirm your email"
    response = await product.http.post("/rpc/auth.login", json={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    for attribute in ("blossom_session=", "HttpOnly", "SameSite=Lax", "Secure", "Path=/"):
        assert attribute in cookie
    init = (await product.http.get("/rpc/auth.init")).json()
    assert init["user"]["email"] == "ann@example.com"
    assert init["user"]["email_verified"] is False
    assert (init["orgs"], init["active_org"]) == ([], None)


async def test_only_the_tokens_hash_is_stored(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "bo@example.com")
    token = product.http.cookies["blossom_session"]
    stored = await product.t.db.owner.fetch("SELECT token_hash FROM sessions")
    assert len(stored) == 1
    assert token.encode() not in stored[0]["token_hash"]
    assert len(stored[0]["token_hash"]) == 32


async def test_anonymous_init_is_nobody(product: ProductHarness) -> None:
    assert (await product.http.get("/rpc/auth.init")).json() == {
        "user": None,
        "orgs": [],
        "active_org": None,
        "impersonation": None,
    }


async def test_signup_with_a_taken_email_answers_exactly_like_a_new_one(product: ProductHarness) -> None:
    new = await product.http.post(
        "/rpc/auth.signup", json={"email": "cy@example.com", "password": PASSWORD, "display_name": "Cy"}
    )
    taken = await product.http.post(
        "/rpc/auth.signup", json={"email": "CY@example.com", "password": "other pass 1", "display_name": "Impostor"}
    )
    assert (taken.status_code, taken.content) == (new.status_code, new.content)
    assert (await product.sent_mail())[-1].subject == "Someone tried to sign up with your email"
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM users") == 1


async def test_login_does_the_same_hash_work_for_unknown_and_known_emails(product: ProductHarness) -> None:
    await product.http.post(
        "/rpc/auth.signup", json={"email": "di@example.com", "password": PASSWORD, "display_name": "Di"}
    )
    product.hasher.calls = 0
    wrong = await product.http.post("/rpc/auth.login", json={"email": "di@example.com", "password": "not it at all"})
    known_calls = product.hasher.calls
    product.hasher.calls = 0
    unknown = await product.http.post(
        "/rpc/auth.login", json={"email": "nobody@example.com", "password": "not it at all"}
    )
    assert product.hasher.calls == known_calls == 1
    assert (wrong.status_code, wrong.content) == (unknown.status_code, unknown.content)
    assert wrong.json()["error"]["code"] == "invalid_credentials"


async def test_a_short_password_is_invalid_input_naming_the_field(product: ProductHarness) -> None:
    response = await product.http.post(
        "/rpc/auth.signup", json={"email": "ed@example.com", "password": "short", "display_name": "Ed"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"
    [field] = response.json()["error"]["fields"]
    assert field["path"] == "password"
    assert "length >= 8" in field["message"]


async def test_the_schema_states_the_new_password_length_the_server_enforces() -> None:
    schemas = json.loads((Path(__file__).parents[1] / "openapi.json").read_text())["components"]["schemas"]
    for name, field in (
        ("SignupIn", "password"),
        ("ChangePasswordIn", "new_password"),
        ("ResetConfirmIn", "new_password"),
    ):
        assert schemas[name]["properties"][field]["minLength"] == MIN_LENGTH
    assert "minLength" not in schemas["LoginIn"]["properties"]["password"]  # an existing password is not judged


async def test_a_common_password_is_its_own_error_naming_the_field(product: ProductHarness) -> None:
    # Valid by the schema (which cannot list common passwords), so not `invalid_input`.
    response = await product.http.post(
        "/rpc/auth.signup", json={"email": "ed@example.com", "password": "password123", "display_name": "Ed"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("password_too_common", "password")
    assert "most common" in error["message"]


@pytest.mark.parametrize(
    "email",
    [
        "ann@example.com\n",  # Python's `$` alone would match before the newline
        "ann@exa\x85mple.com",  # whitespace to Python's `\s`, not to JavaScript's
        "ann@exa\x1fmple.com",
        "ann@exa\ufeffmple.com",  # whitespace to JavaScript's `\s`, not to Python's
        "ann@exa\x7fmple.com",
    ],
)
async def test_an_email_with_whitespace_or_a_control_character_is_refused(product: ProductHarness, email: str) -> None:
    response = await product.http.post("/rpc/auth.password.reset_request", json={"email": email})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


async def test_logout_deletes_the_session_on_the_server(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "fa@example.com")
    token = product.http.cookies["blossom_session"]
    assert (await product.http.post("/rpc/auth.logout", json={})).status_code == 200
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM sessions") == 0
    replay = await product.http.get("/rpc/auth.init", headers={"cookie": f"blossom_session={token}"})
    assert replay.json()["user"] is None


async def test_sessions_are_listed_and_revoked(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "gil@example.com")
    other = product.client()
    third = product.client()
    for client in (other, third):
        await client.post("/rpc/auth.login", json={"email": "gil@example.com", "password": PASSWORD})
    sessions = (await product.http.get("/rpc/auth.sessions.list")).json()["sessions"]
    assert len(sessions) == 3
    assert sum(s["current"] for s in sessions) == 1
    victim = next(s["id"] for s in sessions if not s["current"])
    assert (await product.http.post("/rpc/auth.sessions.revoke", json={"session_id": victim})).json() == {"revoked": 1}
    assert (await product.http.post("/rpc/auth.sessions.revoke_others", json={})).json() == {"revoked": 1}
    for client in (other, third):
        assert (await client.get("/rpc/auth.init")).json()["user"] is None
    assert (await product.http.get("/rpc/auth.init")).json()["user"] is not None


async def test_password_change_rotates_the_token_and_ends_other_sessions(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "hu@example.com")
    other = product.client()
    await other.post("/rpc/auth.login", json={"email": "hu@example.com", "password": PASSWORD})
    old_token = product.http.cookies["blossom_session"]
    wrong = await product.http.post(
        "/rpc/auth.password.change", json={"current_password": "nope nope nope", "new_password": "a brand new phrase"}
    )
    assert wrong.json()["error"]["code"] == "wrong_password"
    response = await product.http.post(
        "/rpc/auth.password.change", json={"current_password": PASSWORD, "new_password": "a brand new phrase"}
    )
    assert response.status_code == 200
    assert product.http.cookies["blossom_session"] != old_token
    assert (await product.http.get("/rpc/auth.init")).json()["user"] is not None
    assert (await other.get("/rpc/auth.init")).json()["user"] is None
    login = await other.post("/rpc/auth.login", json={"email": "hu@example.com", "password": "a brand new phrase"})
    assert login.status_code == 200


async def test_password_reset_is_single_use_and_ends_every_session(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "ivy@example.com")
    unknown = await product.http.post("/rpc/auth.password.reset_request", json={"email": "ghost@example.com"})
    known = await product.http.post("/rpc/auth.password.reset_request", json={"email": "ivy@example.com"})
    assert (unknown.status_code, unknown.content) == (known.status_code, known.content)
    assert [m.to for m in (await product.sent_mail())].count("ghost@example.com") == 0
    code = await product.last_code("ivy@example.com")
    confirm = {"token": code, "new_password": "another fine phrase"}
    assert (await product.http.post("/rpc/auth.password.reset_confirm", json=confirm)).status_code == 200
    again = await product.http.post("/rpc/auth.password.reset_confirm", json=confirm)
    assert again.json()["error"]["code"] == "invalid_token"
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM sessions") == 0
    login = await product.http.post(
        "/rpc/auth.login", json={"email": "ivy@example.com", "password": "another fine phrase"}
    )
    assert login.status_code == 200


async def test_reset_codes_expire(product: ProductHarness) -> None:
    await product.http.post(
        "/rpc/auth.signup", json={"email": "jo@example.com", "password": PASSWORD, "display_name": "Jo"}
    )
    await product.http.post("/rpc/auth.password.reset_request", json={"email": "jo@example.com"})
    code = await product.last_code("jo@example.com")
    product.t.clock.advance(hours=2)
    response = await product.http.post(
        "/rpc/auth.password.reset_confirm", json={"token": code, "new_password": "late phrase 42"}
    )
    assert response.json()["error"]["code"] == "invalid_token"


async def test_email_verification(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "kay@example.com")
    code = await product.last_code("kay@example.com")
    assert (await product.http.post("/rpc/auth.email.verify", json={"token": code})).status_code == 200
    assert (await product.http.get("/rpc/auth.init")).json()["user"]["email_verified"] is True


async def _logins(client: httpx.AsyncClient, email: str, password: str, times: int) -> list[httpx.Response]:
    return [await client.post("/rpc/auth.login", json={"email": email, "password": password}) for _ in range(times)]


async def test_login_is_rate_limited_per_account_and_address_with_retry_after(product: ProductHarness) -> None:
    responses = await _logins(product.http, "lee@example.com", "wrong guess", 12)
    assert [r.status_code for r in responses] == [401] * 10 + [429, 429]
    assert int(responses[-1].headers["retry-after"]) > 0
    assert await product.t.db.owner.fetchval("SELECT max(hits) FROM rate_limits") == 12


async def test_wrong_passwords_from_elsewhere_never_lock_the_owner_out(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.client("10.0.0.1"), "lou@example.com")  # the owner's address, trusted
    attacker = product.client("203.0.113.9")
    assert [r.status_code for r in await _logins(attacker, "lou@example.com", "guess", 11)][-1] == 429
    owner = await product.client("10.0.0.1").post(
        "/rpc/auth.login", json={"email": "lou@example.com", "password": PASSWORD}
    )
    assert owner.status_code == 200, owner.text


async def test_attackers_spread_over_addresses_meet_the_slower_per_account_limit_but_the_owner_does_not(
    product: ProductHarness,
) -> None:
    await product.sign_up_and_in(product.client("10.0.0.1"), "liz@example.com")
    statuses = []
    for n in range(60):  # 6 addresses, 10 tries each: under every per-address and per-pair limit
        client = product.client(f"198.51.100.{n // 10}")
        statuses += [r.status_code for r in await _logins(client, "liz@example.com", "guess", 1)]
    # 50 an hour from addresses the account never logged in from; the owner's first login was one
    assert statuses[:49] == [401] * 49 and set(statuses[49:]) == {429}
    owner = await product.client("10.0.0.1").post(
        "/rpc/auth.login", json={"email": "liz@example.com", "password": PASSWORD}
    )
    assert owner.status_code == 200, owner.text


async def test_a_successful_login_resets_the_count_of_failures(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "lin@example.com")
    for _ in range(3):
        assert {r.status_code for r in await _logins(product.http, "lin@example.com", "typo", 9)} == {401}
        assert (await _logins(product.http, "lin@example.com", PASSWORD, 1))[0].status_code == 200


async def test_a_session_records_the_browsers_user_agent(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "uma@example.com")
    await product.http.post(
        "/rpc/auth.login",
        json={"email": "uma@example.com", "password": PASSWORD},
        headers={"user-agent": "Firefox/140 \u0000 test"},
    )
    agents = await product.t.db.owner.fetch("SELECT user_agent FROM sessions ORDER BY created_at, id")
    assert agents[-1]["user_agent"] == "Firefox/140  test"  # a NUL, which PostgreSQL text cannot hold, dropped
    assert agents[0]["user_agent"] == f"python-httpx/{httpx.__version__}"


async def test_an_idle_session_expires(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "max@example.com")
    product.t.clock.advance(IDLE_TIMEOUT - dt.timedelta(minutes=5))
    assert (await product.http.get("/rpc/auth.init")).json()["user"] is not None  # activity renews it
    product.t.clock.advance(IDLE_TIMEOUT - dt.timedelta(minutes=5))
    assert (await product.http.get("/rpc/auth.init")).json()["user"] is not None
    product.t.clock.advance(IDLE_TIMEOUT + dt.timedelta(minutes=1))
    assert (await product.http.get("/rpc/auth.init")).json()["user"] is None


async def test_an_active_session_still_ends_at_its_absolute_lifetime(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "nia@example.com")
    elapsed = dt.timedelta(0)
    step = IDLE_TIMEOUT / 2
    while elapsed + step < ABSOLUTE_LIFETIME:
        product.t.clock.advance(step)
        elapsed += step
        assert (await product.http.get("/rpc/auth.init")).json()["user"] is not None
    product.t.clock.advance(ABSOLUTE_LIFETIME - elapsed + dt.timedelta(minutes=1))
    assert (await product.http.get("/rpc/auth.init")).json()["user"] is None


async def test_a_cross_site_cookie_call_is_refused(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "ned@example.com")
    response = await product.http.post(
        "/rpc/orgs.create", json={"name": "Evil"}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403


async def test_an_invalid_cookie_is_nobody(product: ProductHarness) -> None:
    client = httpx.AsyncClient(transport=product.http._transport, base_url="https://product.test")
    response = await client.get("/rpc/auth.init", headers={"cookie": "blossom_session=forged-token-value"})
    assert response.json()["user"] is None


async def _row_counts(product: ProductHarness) -> dict[str, int]:
    """Rows in every table, and outbox rows by kind: what a request wrote."""
    owner = product.t.db.owner
    tables = await owner.fetch("SELECT schemaname, relname FROM pg_stat_user_tables")
    counts = {
        (r["relname"] if r["schemaname"] == "public" else f"{r['schemaname']}.{r['relname']}"): await owner.fetchval(
            f'SELECT count(*) FROM "{r["schemaname"]}"."{r["relname"]}"'
        )
        for r in tables
    }
    for row in await owner.fetch("SELECT kind, count(*) AS n FROM outbox GROUP BY kind"):
        counts[f"outbox:{row['kind']}"] = row["n"]
    return counts


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        k: after.get(k, 0) - before.get(k, 0) for k in after.keys() | before.keys() if after.get(k) != before.get(k)
    }


async def test_a_reset_request_does_the_same_writes_for_known_and_unknown_emails(product: ProductHarness) -> None:
    """No timing oracle: the request queues one job either way; the account is looked up (and
    the code created and mailed) by the outbox worker, after the answer."""
    await product.sign_up_and_in(product.http, "mo@example.com")
    await product.deliver()
    answers, writes = [], []
    for email, address in (("mo@example.com", "10.0.0.1"), ("nobody-here@example.com", "10.0.0.2")):
        before = await _row_counts(product)
        client = product.client(address)
        answers.append(await client.post("/rpc/auth.password.reset_request", json={"email": email}))
        writes.append(_delta(before, await _row_counts(product)))
    known, unknown = answers
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    # Either way: the job, and rate-limit buckets for the address, the (email, address) pair and the email.
    assert writes[0] == writes[1] == {"outbox": 1, "outbox:password_reset_requested": 1, "rate_limits": 3}
    assert await product.t.db.owner.fetchval("SELECT count(*) FROM user_tokens WHERE purpose = 'password_reset'") == 0

    mail = [m for m in await product.sent_mail() if m.subject == "Reset your password"]
    assert [m.to for m in mail] == ["mo@example.com"]


async def _reset_code(product: ProductHarness, email: str) -> str:
    await product.http.post("/rpc/auth.password.reset_request", json={"email": email})
    return await product.last_code(email)


async def _reset(product: ProductHarness, code: str, password: str) -> str:
    response = await product.http.post(
        "/rpc/auth.password.reset_confirm", json={"token": code, "new_password": password}
    )
    return "ok" if response.status_code == 200 else response.json()["error"]["code"]


async def test_a_newer_reset_code_invalidates_the_older_ones(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "nia@example.com")
    first = await _reset_code(product, "nia@example.com")
    second = await _reset_code(product, "nia@example.com")
    assert first != second
    assert await _reset(product, first, "first phrase works") == "invalid_token"
    assert await _reset(product, second, "second phrase works") == "ok"
    assert await _reset(product, first, "first phrase again") == "invalid_token"  # still, after the second's use


async def test_using_a_reset_code_or_changing_the_password_ends_outstanding_codes(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "oz@example.com")
    outstanding = await _reset_code(product, "oz@example.com")
    change = await product.http.post(
        "/rpc/auth.password.change", json={"current_password": PASSWORD, "new_password": "changed my phrase"}
    )
    assert change.status_code == 200
    assert await _reset(product, outstanding, "reset after change") == "invalid_token"

    # A unique index keeps at most one open code per user; using it leaves none behind.
    code = await _reset_code(product, "oz@example.com")
    assert await _reset(product, code, "reset phrase one") == "ok"
    open_codes = "SELECT count(*) FROM user_tokens WHERE used_at IS NULL AND purpose = 'password_reset'"
    assert await product.t.db.owner.fetchval(open_codes) == 0


async def test_one_address_cannot_spend_the_accounts_budget_and_lock_the_owner_out_of_new_addresses(
    product: ProductHarness,
) -> None:
    await product.sign_up_and_in(product.client("10.0.0.1"), "ola@example.com")
    attacker = product.client("203.0.113.7")
    statuses = [r.status_code for r in await _logins(attacker, "ola@example.com", "guess", 60)]
    assert statuses[:9] == [401] * 9 and set(statuses[10:]) == {429}
    owner = await product.client("192.0.2.44").post(  # an address the owner never used
        "/rpc/auth.login", json={"email": "ola@example.com", "password": PASSWORD}
    )
    assert owner.status_code == 200, owner.text


async def test_an_address_past_its_budget_adds_no_rows_for_each_new_email(product: ProductHarness) -> None:
    client = product.client("203.0.113.8")
    for n in range(130):
        await client.post("/rpc/auth.login", json={"email": f"nobody{n}@example.com", "password": "guess"})
    rows = await product.t.db.owner.fetchval("SELECT count(*) FROM rate_limits")
    assert rows <= 1 + 2 * 100  # the address's window, and a pair and an account per attempt it allowed


async def test_expired_windows_are_pruned(product: ProductHarness) -> None:
    client = product.client("203.0.113.9")
    for n in range(20):
        await client.post("/rpc/auth.login", json={"email": f"old{n}@example.com", "password": "guess"})
    product.t.clock.advance(days=62)  # past every window's expiry
    for n in range(rate_limit.PRUNE_EVERY):
        await product.client(f"198.18.{n // 200}.{n % 200}").post(
            "/rpc/auth.login", json={"email": "fresh@example.com", "password": "guess"}
        )
    old = await product.t.db.owner.fetchval(
        "SELECT count(*) FROM rate_limits WHERE expires_at < $1", product.t.clock.now()
    )
    assert old == 0


async def test_strangers_cannot_block_the_owners_own_reset_request(product: ProductHarness) -> None:
    await product.sign_up_and_in(product.http, "pia@example.com")
    await product.deliver()
    for n in range(6):
        answer = await product.client(f"203.0.113.{n}").post(
            "/rpc/auth.password.reset_request", json={"email": "pia@example.com"}
        )
        assert answer.status_code == 200
    mine = await product.client("10.9.9.9").post("/rpc/auth.password.reset_request", json={"email": "pia@example.com"})
    assert mine.status_code == 200
    await product.deliver()
    assert [m.to for m in await product.sent_mail() if m.subject == "Reset your password"].count("pia@example.com") == 7


async def test_an_ipv6_network_is_one_address_for_rate_limits(product: ProductHarness) -> None:
    statuses = []
    for n in range(12):  # a new address of one /64 each time
        client = product.client(f"2001:db8:1:2::{n + 1:x}")
        statuses += [r.status_code for r in await _logins(client, "quinn@example.com", "guess", 1)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}


async def test_ipv4_clients_reported_ipv4_mapped_keep_buckets_of_their_own(product: ProductHarness) -> None:
    for n in range(rate_limit.SIGNUP_PER_ADDRESS.max_hits + 1):
        response = await product.client(f"::ffff:198.51.100.{n}").post(
            "/rpc/auth.signup", json={"email": f"mapped{n}@example.com", "password": PASSWORD, "display_name": "M"}
        )
        assert response.status_code == 200, response.text


async def test_strangers_spending_the_accounts_reset_budget_do_not_silence_the_owners_address(
    product: ProductHarness,
) -> None:
    await product.sign_up_and_in(product.client("10.7.7.7"), "rae@example.com")  # the owner's address, trusted
    await product.deliver()
    for n in range(rate_limit.RESET_PER_ACCOUNT.max_hits + 5):
        await product.client(f"203.0.113.{n}").post(
            "/rpc/auth.password.reset_request", json={"email": "rae@example.com"}
        )
    await product.deliver()
    before = [m for m in await product.sent_mail() if m.subject == "Reset your password"]
    mine = await product.client("10.7.7.7").post("/rpc/auth.password.reset_request", json={"email": "rae@example.com"})
    assert mine.status_code == 200
    await product.deliver()
    after = [m for m in await product.sent_mail() if m.subject == "Reset your password"]
    assert len(after) == len(before) + 1


async def test_a_public_route_that_never_reads_the_caller_costs_a_cookie_no_connection(t) -> None:
    # With the app's only connection held elsewhere, a route that had to look the session up
    # would wait for it; an AnonymousReq route (demo.ping, login, sign-up, the code routes)
    # never looks it up.
    async with product_harness(t, DATABASE_POOL_SIZE="1") as product:
        await product.sign_up_and_in(product.http, "cookie@example.com")
        assert product.http.cookies.get("blossom_session")  # the client sends the cookie from now on
        async with product.database.pool.acquire():
            ping = await asyncio.wait_for(product.http.get("/rpc/demo.ping", params={"input": '{"message":"hi"}'}), 5)
            assert ping.status_code == 200 and ping.json() == {"message": "hi"}
        me = await product.http.get("/rpc/auth.init")  # a route that reads the caller still does
        assert me.json()["user"]["email"] == "cookie@example.com"


async def test_password_changes_are_limited_per_user(product: ProductHarness) -> None:
    # Each attempt pays a full password hash, and a stolen session must not guess the password.
    await product.sign_up_and_in(product.http, "changer@example.com")
    wrong = {"current_password": "not " + PASSWORD, "new_password": "a brand new passphrase"}
    for _ in range(rate_limit.PASSWORD_CHANGE_PER_USER.max_hits):
        answer = await product.http.post("/rpc/auth.password.change", json=wrong)
        assert answer.status_code == 400 or answer.json()["error"]["code"] == "wrong_password", answer.text
    limited = await product.http.post("/rpc/auth.password.change", json=wrong)
    assert limited.status_code == 429 and limited.headers["retry-after"]
