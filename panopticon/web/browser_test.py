"""The web console in a real headless browser (Debian's chromium driven by Selenium through its
chromedriver) against panopticon served by Granian over loopback HTTP: the administrator comes
from `just admin create` (its printed enrolment link), enrols and signs in with TOTP codes
computed here, finds a user, revokes their sessions, impersonates them (the code redeemed in the
product, also served) and reads the audit entries.

Skipped, saying why, where chromium or chromedriver is missing; with BLOSSOM_REQUIRE_BROWSER=1
(`.ci/run` sets it) a missing browser fails instead. Screenshots of the main pages go to
BLOSSOM_SCREENSHOTS (default `.blossom/screenshots/`), replaced at each run."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyotp.totp import TOTP
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from database.testing.fixture import T
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json, granian
from foundation.time import system_clock  # the server under test runs on the real clock

CHROMIUM = os.environ.get("BLOSSOM_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("BLOSSOM_CHROMEDRIVER", "/usr/bin/chromedriver")
PASSWORD = "amber lantern hums quietly"
SCREENSHOTS = Path(os.environ.get("BLOSSOM_SCREENSHOTS", REPO_ROOT / ".blossom" / "screenshots"))
WAIT_SECONDS = 20
VIEWER = "vera.viewer@example.com"
ACTIONS = ("impersonation.end", "impersonation.start", "users.sessions.revoke")


def _require_browser() -> None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if shutil.which(path) is None]
    if not missing:
        return
    message = f"no headless browser: {', '.join(missing)} not found (apt-get install chromium chromium-driver)"
    if os.environ.get("BLOSSOM_REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; BLOSSOM_REQUIRE_BROWSER=1 forbids skipping")
    pytest.skip(message)


@contextmanager
def _browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console's messages, CSP reports included
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


class Console:
    """The few things the test does with the page, each waiting until the page is ready."""

    def __init__(self, driver: Any, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url
        # A page re-renders after each action: an element found just before is replaced, so look again.
        self.wait = WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob("*.png"):  # this run's pages only
            old.unlink()

    def open(self, fragment: str) -> None:
        self.driver.get(f"{self.base_url}/#{fragment}")

    def find(self, css: str) -> Any:
        return self.wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)), f"{css} never appeared")

    def text(self, css: str) -> str:
        return self.find(css).text

    def texts(self, css: str) -> list[str]:
        return [element.text for element in self.driver.find_elements(By.CSS_SELECTOR, css)]

    def fill(self, name: str, value: str, *, scope: str = "") -> None:
        element = self.find(f'{scope} [name="{name}"]'.strip())
        element.clear()
        element.send_keys(value)

    def click(self, css: str) -> None:
        self.wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, css)), f"{css} never clickable").click()

    def until(self, condition: Callable[[], bool], what: str) -> None:
        try:
            self.wait.until(lambda _: condition())
        except TimeoutException:
            raise AssertionError(f"{what} never came; the page shows {self.errors() or 'no error'}") from None

    def shot(self, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def errors(self) -> list[str]:
        """Visible error boxes (so a failed step says why)."""
        return [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".error") if e.is_displayed()]


def _admin_create(env: dict[str, str], email: str) -> str:
    """`just admin create EMAIL`, as a person runs it; the enrolment link it prints."""
    result = subprocess.run(
        [sys.executable, "-m", "tools.admin", "create", email, "--role", "owner"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    links = re.findall(r"http://\S+/#/enrol/\S+", result.stdout)
    assert len(links) == 1, result.stdout
    return links[0]


@dataclass
class Customer:
    """The product user the support journey looks after."""

    user_id: str
    email: str
    org_id: str
    org_name: str
    product_url: str  # where the impersonation's one-time code is redeemed


def _enrol_and_sign_in(console: Console, link: str, email: str) -> None:
    """Enrol from an enrolment link, then sign in with a TOTP code (a later step's)."""
    console.driver.get(link)
    console.fill("password", PASSWORD)
    console.fill("password2", PASSWORD)
    console.click('[name="enrol-start"]')
    totp = TOTP(console.text("#totp-secret"))
    console.fill("totp_code", totp.now())
    console.click('[name="enrol-confirm"]')
    console.click("#to-login")
    console.fill("email", email)
    console.fill("password", PASSWORD)
    console.fill("totp_code", totp.at(system_clock.now(), counter_offset=1))
    console.click('[name="sign-in"]')
    assert console.text("#me") == email, console.errors()


def _journey(console: Console, enrol_link: str, email: str, customer: Customer) -> dict[str, Path]:
    shots: dict[str, Path] = {}
    # Enrolment from the printed link: password, the TOTP secret, a first code, recovery codes.
    console.driver.get(enrol_link)
    assert console.find('[name="code"]').get_attribute("value") == enrol_link.rsplit("/", 1)[1]
    console.fill("password", PASSWORD)
    console.fill("password2", PASSWORD)
    shots["enrol"] = console.shot("01-enrol")
    console.click('[name="enrol-start"]')
    secret = console.text("#totp-secret")
    assert console.find("#otpauth-uri").get_attribute("href").startswith("otpauth://totp/")
    assert console.find("#totp-qr").get_attribute("src").startswith("data:image/gif;base64,")
    totp = TOTP(secret)
    console.fill("totp_code", totp.now())
    shots["enrol_secret"] = console.shot("02-enrol-secret")
    console.click('[name="enrol-confirm"]')
    codes = console.text("#recovery-codes").split("\n")
    assert len(codes) == 10, codes
    shots["recovery_codes"] = console.shot("03-recovery-codes")

    # Sign in: the page asks for the password and a TOTP code (the next step's: the step the
    # confirmation used is spent, and the server accepts one step either side).
    console.click("#to-login")
    console.fill("email", email)
    console.fill("password", PASSWORD)
    console.fill("totp_code", totp.at(system_clock.now(), counter_offset=1))
    shots["login"] = console.shot("04-login")
    console.click('[name="sign-in"]')
    assert console.text("#me") == email, console.errors()
    shots["search"] = console.shot("05-search")

    # Find the customer by the start of their email, and open their page.
    console.fill("q", customer.email[:5])
    console.click('[name="search"]')
    console.click(f'#results a[href="#/users/{customer.user_id}"]')
    assert console.text("#user-email") == customer.email
    console.until(lambda: "Active sessions (2)" in console.text("main"), "the user's two sessions")
    shots["user"] = console.shot("07-user")

    # Revoke every session, with a reason, through the dialog.
    console.click('[name="revoke-all"]')
    console.fill("reason", "customer asked by phone", scope="dialog")
    shots["revoke_dialog"] = console.shot("08-revoke-dialog")
    console.click('dialog [name="confirm"]')
    console.until(lambda: "Revoked 2 sessions" in console.text("#status"), "the revocation's notice")
    console.until(lambda: "Active sessions (0)" in console.text("main"), "no session left")

    # Impersonate them: the dialog asks the reason and the duration; the one-time code shows,
    # and the open impersonation is listed until it is ended.
    console.click('[name="impersonate"]')
    console.fill("reason", "checking the invoice page they describe", scope="dialog")
    console.fill("minutes", "10", scope="dialog")
    shots["impersonate_dialog"] = console.shot("09-impersonate-dialog")
    console.click('dialog [name="confirm"]')
    console.until(lambda: "Impersonating" in console.text("#status"), "the impersonation's notice")
    assert "read-only" in console.text("#status")
    assert len(console.text("#impersonation-code-value")) >= 32
    assert "checking the invoice page" in console.text("#impersonations")
    shots["impersonating"] = console.shot("10-impersonating")
    # The administrator's browser redeems the code in the product, as the product's frontend
    # does: a read-only session as the user opens, and the console's page lists it.
    redeemed = httpx.post(
        f"{customer.product_url}/rpc/auth.impersonation.redeem",
        json={"code": console.text("#impersonation-code-value")},
        timeout=30,
    )
    assert redeemed.status_code == 200, redeemed.text
    console.driver.refresh()
    console.until(lambda: "Active sessions (1)" in console.text("main"), "the impersonation's product session")
    assert "yes" in console.text("#impersonations tbody tr")  # redeemed
    console.click('[name="end-impersonation"]')
    console.click('dialog [name="confirm"]')
    console.until(lambda: "Impersonation ended (1 session closed)" in console.text("#status"), "the end's notice")
    console.until(lambda: "Active sessions (0)" in console.text("main"), "the product session gone")
    console.until(lambda: "No open impersonation" in console.text("#impersonations"), "no open impersonation")

    # The audit log, filtered on the customer, shows who did what and why, newest first.
    console.click('header a[href="#/audit"]')
    console.fill("target", customer.user_id)
    console.click('[name="filter"]')
    console.until(lambda: "impersonation.end" in console.text("#audit-results"), "the impersonation's audit entries")
    rows = console.texts("#audit-results tbody tr")
    assert [next(a for a in ACTIONS if a in row) for row in rows] == [
        "impersonation.end",
        "impersonation.start",
        "users.sessions.revoke",
    ], rows
    assert "checking the invoice page they describe" in rows[1]
    assert "customer asked by phone" in rows[2]
    assert all("adm_" in row for row in rows)  # the administrator who acted
    shots["audit"] = console.shot("11-audit")

    # The organization's page, and its delete dialog: the button waits for the typed name.
    console.open(f"/orgs/{customer.org_id}")
    assert console.text("h1") == customer.org_name
    assert customer.email in console.text("#org-page")
    shots["org"] = console.shot("12-org")
    console.click('[name="delete-org"]')
    assert not console.find('dialog [name="confirm"]').is_enabled()
    console.fill("confirm_name", customer.org_name, scope="dialog")
    console.until(lambda: console.find('dialog [name="confirm"]').is_enabled(), "the typed confirmation")
    shots["org_delete_dialog"] = console.shot("13-org-delete-dialog")
    console.click('dialog [name="cancel"]')

    console.click('header a[href="#/system"]')
    assert console.text("#schema-version").startswith("00")
    shots["system"] = console.shot("14-system")

    console.open("/admins")
    console.find("table")
    assert email in console.text("main")
    shots["admins"] = console.shot("15-admins")

    # The owner invites a viewer; the viewer enrols from the link shown, and the customer's page
    # offers them no action.
    console.click('[name="invite"]')
    console.fill("email", VIEWER, scope="dialog")
    Select(console.find('dialog [name="role"]')).select_by_value("viewer")
    console.click('dialog [name="confirm"]')
    viewer_link = console.text("#enrolment-link")
    console.click('[name="logout"]')
    console.find('[name="sign-in"]')
    _enrol_and_sign_in(console, viewer_link, VIEWER)
    console.open(f"/users/{customer.user_id}")
    assert "Your role (viewer) may only look." in console.text("#user-page")
    assert console.texts('#user-page button[name="revoke-all"]') == []
    shots["viewer_user"] = console.shot("16-viewer-user")

    # Sign out; the owner signs in again with a recovery code instead of the authenticator.
    console.click('[name="logout"]')
    console.fill("email", email)
    console.fill("password", PASSWORD)
    console.click('[name="use-recovery"]')
    console.fill("recovery_code", codes[0])
    shots["login_recovery"] = console.shot("17-login-recovery-code")
    console.click('[name="sign-in"]')
    assert console.text("#me") == email, console.errors()

    # The page ran under its Content-Security-Policy without a single refusal.
    refused = [
        entry["message"] for entry in console.driver.get_log("browser") if "Content Security Policy" in entry["message"]
    ]
    assert refused == []
    return shots


async def test_a_support_journey_in_a_real_browser(t: T, tmp_path: Path) -> None:
    _require_browser()
    port = free_port()
    env = {
        **os.environ,
        "BLOSSOM_ENV": "test",
        "LOG_FORMAT": "json",
        "DATABASE_URL": t.db.target.admin.render(),
        "APP_DATABASE_URL": t.db.target.app.render(),
        "PANOPTICON_PORT": str(port),
    }
    email = "first.owner@example.com"
    # The server runs on the real clock: rows arranged here are dated by it too (sessions unexpired).
    lag = system_clock.now() - t.clock.now()
    if lag.total_seconds() > 0:
        t.clock.advance(lag)
    org = await t.factory.org(name="Hollowbrook Bakery")
    user = await t.factory.user(email="casey.baker@example.com")
    await t.factory.membership(org, user, "member")
    for _ in range(2):
        await t.factory.session(user, org=org)
    product_port = free_port()
    customer = Customer(
        user_id=user.id,
        email=user.email,
        org_id=org.id,
        org_name=org.name,
        product_url=f"http://127.0.0.1:{product_port}",
    )
    enrol_link = await asyncio.to_thread(_admin_create, env, email)
    # `localhost`, not 127.0.0.1: Chrome keeps a Secure (`__Host-`) cookie over plain http there.
    assert enrol_link.startswith(f"http://localhost:{port}/#/enrol/")
    server_log = tmp_path / "panopticon.log"
    with (
        granian("panopticon.asgi:app", port, env, cwd=REPO_ROOT, log=server_log),
        granian("product.asgi:app", product_port, env, cwd=REPO_ROOT, log=tmp_path / "product.log"),
    ):
        for url in (f"http://127.0.0.1:{port}/health", f"{customer.product_url}/health"):
            status, _ = await asyncio.to_thread(get_json, url)
            assert status == 200, url

        def drive() -> dict[str, Path]:
            with _browser() as driver:
                console = Console(driver, f"http://localhost:{port}")
                try:
                    return _journey(console, enrol_link, email, customer)
                except Exception:
                    console.shot("failure")
                    raise

        try:
            shots = await asyncio.to_thread(drive)
        except Exception as error:
            log = server_log.read_text(errors="replace")[-4000:]
            raise AssertionError(f"{error}\n--- server log ---\n{log}") from error
    for path in shots.values():
        assert path.stat().st_size > 1000, path
