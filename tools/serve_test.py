"""`just serve`, the production command: two servers share what must be shared (it lives in
PostgreSQL), and a SIGTERM under load lets every request in flight finish."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from database.target import PgUrl
from database.testing.fixture import FACTORY_PASSWORD, T
from foundation.errors import ConfigurationError
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json
from product.accounts.rate_limit import LOGIN_PER_PAIR
from tools.serve import command


def _environment(t: T, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "BLOSSOM_ENV": "development",  # plain http, so cookies without Secure, and the demo routes
        "DATABASE_URL": t.db.target.admin.render(),
        "APP_DATABASE_URL": t.db.target.app.render(),
        **more,
    }


@contextlib.contextmanager
def _serving(environment: dict[str, str], *, workers: int = 1) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.serve", "product", "--workers", str(workers), "--port", str(port)],
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        get_json(f"http://127.0.0.1:{port}/health")
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def test_servers_start_one_after_another_behind_pgbouncer(t: T, pooler: PgUrl) -> None:
    # Each start checks the database once (the preflight) through the pooler, which hands the next
    # client the same server connection: no prepared statement may be left on it.
    environment = _environment(t, APP_DATABASE_URL=pooler.render(), DATABASE_POOLER="transaction")

    def start_three_times() -> list[int]:
        statuses = []
        for _ in range(3):
            with _serving(environment) as (base, _):
                statuses.append(httpx.get(f"{base}/health", timeout=30).status_code)
        return statuses

    assert await asyncio.to_thread(start_three_times) == [200, 200, 200]


PRODUCTION = {
    "BLOSSOM_ENV": "production",
    "DATABASE_URL": "postgresql://u@db/x",
    "BLOSSOM_SECRET_KEY": "k" * 32,
    "SMTP_HOST": "smtp.example.com",
    "MAIL_FROM": "no-reply@example.com",
}


def test_the_production_command_is_granian_with_workers_json_logs_and_a_grace_period() -> None:
    line, environment = command(["panopticon", "--workers", "3"], PRODUCTION)
    assert line[-1] == "panopticon.asgi:app"
    assert line[line.index("--workers") + 1] == "3" and "--reload" not in line
    assert "--respawn-failed-workers" in line and line[line.index("--workers-kill-timeout") + 1] == "30"
    assert environment["LOG_FORMAT"] == "json"
    with pytest.raises(ConfigurationError, match="BLOSSOM_ENV is not set"):  # a forgotten one: no server
        command(["product"], {k: v for k, v in PRODUCTION.items() if k != "BLOSSOM_ENV"})
    with pytest.raises(ConfigurationError, match="never starts the embedded PostgreSQL"):
        command(["product"], {"BLOSSOM_ENV": "development"})


async def test_an_unmigrated_database_is_one_line_before_any_worker_starts(t: T) -> None:
    # As a newcomer's fresh database would be: roles there, no schema.
    environment = {**_environment(t), "APP_DATABASE_URL": t.db.target.app.with_database("postgres").render()}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tools.serve", "product", "--port", str(free_port())],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: the database has no schema yet: run `uv run just migrate` first"
    ], result.stderr


def _share_limits_and_sessions(environment: dict[str, str], limited: str, member: str) -> None:
    with _serving(environment) as (first, _), _serving(environment) as (second, _):
        with httpx.Client(timeout=30) as http:
            # The pair's budget is counted in PostgreSQL: half its attempts on each server.
            wrong = {"email": limited, "password": "wrong" * 3}
            for attempt in range(LOGIN_PER_PAIR.max_hits):
                answer = http.post(f"{(first, second)[attempt % 2]}/rpc/auth.login", json=wrong)
                assert answer.status_code == 401, answer.text
            for server in (first, second):
                refused = http.post(f"{server}/rpc/auth.login", json=wrong)
                assert refused.status_code == 429, refused.text

        with httpx.Client(timeout=30) as http:  # a session made through one is revoked through the other
            login = http.post(f"{first}/rpc/auth.login", json={"email": member, "password": FACTORY_PASSWORD})
            assert login.status_code == 200, login.text
            assert http.get(f"{second}/rpc/auth.init").json()["user"]["email"] == member
            assert http.post(f"{first}/rpc/auth.logout", json={}).status_code == 200
        with httpx.Client(timeout=30, cookies=login.cookies) as replay:  # the old cookie, sent again
            assert replay.get(f"{second}/rpc/auth.init").json()["user"] is None


async def test_two_servers_share_rate_limits_and_sessions(t: T) -> None:
    limited = await t.factory.user(email="limited@example.com")
    member = await t.factory.user(email="member@example.com")
    await asyncio.to_thread(_share_limits_and_sessions, _environment(t), limited.email, member.email)


CALLERS = 8


def _stop_under_load(environment: dict[str, str], email: str) -> tuple[list[int | str], int]:
    answers: list[int | str] = []
    connected = threading.Barrier(CALLERS + 1)

    def login(base: str) -> None:  # each hashes a password with 600,000 iterations: a slow request
        with httpx.Client(base_url=base, timeout=60) as http:
            http.get("/health")  # the connection is open (kept alive) before the signal
            connected.wait()
            try:
                response = http.post("/rpc/auth.login", json={"email": email, "password": FACTORY_PASSWORD})
                answers.append(response.status_code)
            except httpx.HTTPError as error:
                answers.append(type(error).__name__)

    with _serving(environment, workers=2) as (base, process):
        callers = [threading.Thread(target=login, args=(base,)) for _ in range(CALLERS)]
        for caller in callers:
            caller.start()
        connected.wait()
        time.sleep(0.5)  # every login sent, none done: eight hashes take seconds on two cores
        process.send_signal(signal.SIGTERM)
        for caller in callers:
            caller.join(timeout=60)
        code = process.wait(timeout=40)
        try:
            httpx.get(f"{base}/health", timeout=5)
            gone = False
        except httpx.ConnectError:
            gone = True
    assert gone, "the server still answers after SIGTERM"
    return answers, code


async def test_sigterm_under_load_lets_every_request_in_flight_finish(t: T) -> None:
    user = await t.factory.user(email="busy@example.com")
    environment = _environment(t, BLOSSOM_DISABLE_RATE_LIMITS="1")
    answers, code = await asyncio.to_thread(_stop_under_load, environment, user.email)
    assert answers == [200] * CALLERS, answers  # none cut off
    assert code == 0
