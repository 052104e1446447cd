"""The Sheets facade on real gspread (and google-auth's service-account token flow) against the
local fake over loopback HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from foundation.errors import ConfigurationError
from foundation.external.errors import ExternalRateLimited, ExternalRejected, ExternalUnavailable
from foundation.external.settings import load_external_settings
from foundation.external.sheets import SheetsClient
from foundation.testing.fakes import FakeSheets
from foundation.testing.fakes.fixtures import Logs, Sleeps
from foundation.testing.fakes.sheets import ACCESS_TOKEN

SHEET = "1AbCdEfGhIjKlMnOp"


def client(fake: FakeSheets, directory: Path, sleeps: Sleeps | None = None, **env: str) -> SheetsClient:
    return SheetsClient(
        load_external_settings(fake.settings(directory) | env), retry=sleeps.policy() if sleeps else None
    )


async def test_rows_are_read_as_text_with_the_service_accounts_token(fake_sheets: FakeSheets, tmp_path: Path) -> None:
    fake_sheets.add_worksheet(SHEET, "Other")
    fake_sheets.add_worksheet(SHEET, "Q3 '24", [["org", "signups"], ["acme", 12], ["beta", 3.5, True]])
    rows = await client(fake_sheets, tmp_path).read_rows(SHEET, "Q3 '24")
    assert rows == [["org", "signups", ""], ["acme", "12", ""], ["beta", "3.5", "TRUE"]]
    token, values = fake_sheets.requests
    assert token.path == "/token"  # the JWT grant, signature checked by the fake
    assert values.path == f"/v4/spreadsheets/{SHEET}/values/'Q3 ''24'"
    assert values.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


async def test_replace_rows_is_one_batch_update_whatever_the_size(fake_sheets: FakeSheets, tmp_path: Path) -> None:
    fake_sheets.add_worksheet(SHEET, "metrics", [["old"] * 5 for _ in range(30)])
    rows = [["day", "signups"]] + [[f"2026-11-{d:02d}", d] for d in range(1, 29)]
    sheets = client(fake_sheets, tmp_path)
    await sheets.replace_rows(SHEET, "metrics", rows)
    assert fake_sheets.worksheet(SHEET, "metrics").rows == rows
    calls = [(r.method, r.path) for r in fake_sheets.sheets_requests()]
    assert calls == [("GET", f"/v4/spreadsheets/{SHEET}"), ("POST", f"/v4/spreadsheets/{SHEET}:batchUpdate")]
    requests_ = fake_sheets.sheets_requests()[1].json()["requests"]
    assert [next(iter(r)) for r in requests_] == ["updateCells", "updateCells"]  # clear, then write
    assert requests_[1]["updateCells"]["rows"][1]["values"][1] == {"userEnteredValue": {"numberValue": 1}}
    assert await sheets.read_rows(SHEET, "metrics") == [[str(v) for v in row] for row in rows]


async def test_rows_beyond_the_grid_grow_it_in_the_same_batch(fake_sheets: FakeSheets, tmp_path: Path) -> None:
    sheet = fake_sheets.add_worksheet(SHEET, "wide")
    sheet.row_count, sheet.column_count = 2, 2
    await client(fake_sheets, tmp_path).replace_rows(SHEET, "wide", [[1, 2, 3]] * 4)
    assert fake_sheets.worksheet(SHEET, "wide").rows == [[1, 2, 3]] * 4
    kinds = [next(iter(r)) for r in fake_sheets.sheets_requests()[-1].json()["requests"]]
    assert kinds == ["updateSheetProperties", "updateCells", "updateCells"]


async def test_replacing_with_no_rows_empties_the_sheet(fake_sheets: FakeSheets, tmp_path: Path) -> None:
    fake_sheets.add_worksheet(SHEET, "metrics", [["old"]])
    sheets = client(fake_sheets, tmp_path)
    await sheets.replace_rows(SHEET, "metrics", [])
    assert await sheets.read_rows(SHEET, "metrics") == []


async def test_unknown_spreadsheet_and_worksheet_are_rejected(fake_sheets: FakeSheets, tmp_path: Path) -> None:
    fake_sheets.add_worksheet(SHEET, "metrics")
    sheets = client(fake_sheets, tmp_path)
    with pytest.raises(ExternalRejected) as raised:
        await sheets.read_rows("nope", "metrics")
    assert (raised.value.reason, raised.value.status) == ("NOT_FOUND", 404)
    with pytest.raises(ExternalRejected) as raised:
        await sheets.replace_rows(SHEET, "absent", [["x"]])
    assert raised.value.reason == "no_worksheet"


async def test_429_and_5xx_are_retried(fake_sheets: FakeSheets, tmp_path: Path, sleeps: Sleeps) -> None:
    fake_sheets.add_worksheet(SHEET, "metrics", [["a"]])
    sheets = client(fake_sheets, tmp_path, sleeps)
    await sheets.read_rows(SHEET, "metrics")  # fetches the token first
    fake_sheets.fail_next(429, retry_after=4)
    fake_sheets.fail_next(503)
    assert await sheets.read_rows(SHEET, "metrics") == [["a"]]
    assert sleeps.delays == [4.0, pytest.approx(0.999)]
    fake_sheets.fail_next(429, retry_after=1, times=10)
    with pytest.raises(ExternalRateLimited):
        await sheets.read_rows(SHEET, "metrics")


async def test_a_stall_is_unavailable_within_the_timeout(
    fake_sheets: FakeSheets, tmp_path: Path, sleeps: Sleeps
) -> None:
    fake_sheets.add_worksheet(SHEET, "metrics")
    sheets = client(fake_sheets, tmp_path, sleeps, SHEETS_TIMEOUT_SECONDS="0.3")
    await sheets.read_rows(SHEET, "metrics")
    fake_sheets.stall_next(30)
    started = time.perf_counter()
    with pytest.raises(ExternalUnavailable, match=r"no answer within 0\.3 s"):
        await sheets.read_rows(SHEET, "metrics")
    assert time.perf_counter() - started < 10
    assert sleeps.delays == []


async def test_a_missing_key_file_fails_at_first_use(tmp_path: Path) -> None:
    sheets = SheetsClient(load_external_settings({}))
    with pytest.raises(ConfigurationError, match=r"^GOOGLE_SERVICE_ACCOUNT_FILE is not set"):
        await sheets.read_rows(SHEET, "metrics")


async def test_one_log_line_per_call_and_never_the_key_or_token(
    fake_sheets: FakeSheets, tmp_path: Path, sleeps: Sleeps, logs: Logs
) -> None:
    fake_sheets.add_worksheet(SHEET, "metrics")
    sheets = client(fake_sheets, tmp_path, sleeps)
    await sheets.replace_rows(SHEET, "metrics", [["a", 1]])
    await sheets.read_rows(SHEET, "metrics")
    calls = logs.calls()
    assert [(c["service"], c["operation"], c["outcome"]) for c in calls] == [
        ("sheets", "replace_rows", "ok"),
        ("sheets", "values.get", "ok"),
    ]
    text = logs.read()
    key_body = fake_sheets.private_key.split("-----")[2].strip().splitlines()[3]
    assert key_body not in text
    assert ACCESS_TOKEN not in text


async def test_a_key_the_token_endpoint_refuses_is_rejected(fake_sheets: FakeSheets, tmp_path: Path) -> None:
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = stranger.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key_file = tmp_path / "stranger.json"
    key_file.write_text(json.dumps(fake_sheets.service_account_info() | {"private_key": pem}))
    fake_sheets.add_worksheet(SHEET, "metrics")
    sheets = client(fake_sheets, tmp_path, GOOGLE_SERVICE_ACCOUNT_FILE=str(key_file))
    with pytest.raises(ExternalRejected) as raised:
        await sheets.read_rows(SHEET, "metrics")
    assert raised.value.reason == "token_refused"
    assert fake_sheets.sheets_requests() == []  # no Sheets call without a token


async def test_a_token_endpoint_that_is_down_is_unavailable_and_retried(
    fake_sheets: FakeSheets, tmp_path: Path, sleeps: Sleeps
) -> None:
    # A 503 from the token endpoint is an outage to wait out, not a refused key.
    fake_sheets.add_worksheet(SHEET, "metrics", [["a"]])
    sheets = client(fake_sheets, tmp_path, sleeps)
    fake_sheets.fail_next(503, times=3)  # the first requests are the token's (google-auth retries some itself)
    assert await sheets.read_rows(SHEET, "metrics") == [["a"]]
    assert sleeps.delays  # our policy waited and tried again
