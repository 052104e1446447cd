"""The Google Sheets facade on gspread: read a worksheet into rows, replace a worksheet's
contents with rows in one batch update.

gspread is synchronous: each attempt runs in a thread (`asyncio.to_thread`). Credentials are the
service account's JSON key at GOOGLE_SERVICE_ACCOUNT_FILE (its `token_uri` says where tokens come
from); SHEETS_BASE_URL replaces gspread's Sheets API address through its HTTP client class, the
extension point gspread offers (`http_client=`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import google.auth.exceptions
import gspread
import gspread.urls
import requests
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from foundation.external.errors import ExternalError, ExternalRateLimited, ExternalRejected, ExternalUnavailable
from foundation.external.retry import RetryPolicy, logged_call, retry_after, retry_policy
from foundation.external.settings import ExternalSettings

SERVICE = "sheets"
T = TypeVar("T")
Cell = str | int | float

_DEFAULT_BASE = gspread.urls.SPREADSHEETS_API_V4_BASE_URL


class _SheetsHTTP(HTTPClient):
    """gspread's HTTP client, talking to `base_url` instead of Google's Sheets address."""

    base_url = _DEFAULT_BASE

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        if endpoint.startswith(_DEFAULT_BASE):
            endpoint = self.base_url.rstrip("/") + endpoint[len(_DEFAULT_BASE) :]
        return super().request(method, endpoint, *args, **kwargs)


def a1_sheet(title: str) -> str:
    """The A1 range of a whole worksheet, quoted (`'Q3 ''24'`)."""
    return "'" + title.replace("'", "''") + "'"


def _cell(value: Cell) -> dict[str, Any]:
    if isinstance(value, bool):  # a bool is an int to Python, not to Sheets
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, int | float):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


class SheetsClient:
    """Built from settings; GOOGLE_SERVICE_ACCOUNT_FILE is read (and a missing one raises
    `ConfigurationError`) at the first call."""

    def __init__(self, settings: ExternalSettings, *, retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.retry = retry or retry_policy(settings, settings.sheets_max_retries)
        self._http: _SheetsHTTP | None = None

    def _client(self) -> _SheetsHTTP:
        if self._http is None:
            path = self.settings.require_service_account_file()
            credentials = Credentials.from_service_account_file(str(path), scopes=gspread.auth.DEFAULT_SCOPES)
            http = _SheetsHTTP(credentials)
            http.base_url = self.settings.sheets_base_url
            http.set_timeout(self.settings.sheets_timeout_seconds)
            self._http = http
        return self._http

    async def read_rows(self, spreadsheet_id: str, worksheet: str) -> list[list[str]]:
        """The worksheet's cells as formatted text, row by row, every row as wide as the widest
        (trailing empty rows and cells are not stored by Sheets, so they are not returned)."""
        http = self._client()

        def read() -> list[list[str]]:
            answer = http.values_get(spreadsheet_id, a1_sheet(worksheet))
            rows = answer.get("values", []) if isinstance(answer, dict) else None
            if not isinstance(rows, list):
                raise ExternalRejected(SERVICE, "values answer without rows", reason="malformed_answer")
            width = max((len(row) for row in rows), default=0)
            return [[str(v) for v in row] + [""] * (width - len(row)) for row in rows]

        return await logged_call(self.retry, SERVICE, "values.get", lambda: self._attempt(read))

    async def replace_rows(self, spreadsheet_id: str, worksheet: str, rows: Sequence[Sequence[Cell]]) -> None:
        """Make `rows` the worksheet's whole contents: one read of the sheet's id and size, then
        ONE batch update that grows the grid if needed, clears every cell's value and writes the
        rows (applied all at once: no reader sees it half-written)."""
        http = self._client()
        body_rows = [{"values": [_cell(v) for v in row]} for row in rows]
        height, width = len(rows), max((len(row) for row in rows), default=0)

        def replace() -> None:
            metadata = http.fetch_sheet_metadata(spreadsheet_id, params={"fields": "sheets.properties"})
            properties = next(
                (
                    s["properties"]
                    for s in metadata.get("sheets", [])
                    if s.get("properties", {}).get("title") == worksheet
                ),
                None,
            )
            if properties is None:
                raise ExternalRejected(SERVICE, f"no worksheet {worksheet!r} in the spreadsheet", reason="no_worksheet")
            sheet_id = properties["sheetId"]
            grid = properties.get("gridProperties", {})
            requests_: list[dict[str, Any]] = []
            rows_needed = max(int(grid.get("rowCount", 0)), height)
            columns_needed = max(int(grid.get("columnCount", 0)), width)
            if (rows_needed, columns_needed) != (grid.get("rowCount"), grid.get("columnCount")):
                requests_.append(
                    {
                        "updateSheetProperties": {
                            "properties": {
                                "sheetId": sheet_id,
                                "gridProperties": {"rowCount": rows_needed, "columnCount": columns_needed},
                            },
                            "fields": "gridProperties.rowCount,gridProperties.columnCount",
                        }
                    }
                )
            requests_.append({"updateCells": {"range": {"sheetId": sheet_id}, "fields": "userEnteredValue"}})
            if body_rows:
                requests_.append(
                    {
                        "updateCells": {
                            "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                            "rows": body_rows,
                            "fields": "userEnteredValue",
                        }
                    }
                )
            http.batch_update(spreadsheet_id, {"requests": requests_})

        await logged_call(self.retry, SERVICE, "replace_rows", lambda: self._attempt(replace))

    async def _attempt(self, work: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(work)
        except ExternalError:
            raise
        except APIError as error:
            raise _api_error(error) from None
        except requests.Timeout:
            raise ExternalUnavailable(
                SERVICE, f"no answer within {self.settings.sheets_timeout_seconds:g} s", retryable=False
            ) from None
        except (requests.ConnectionError, google.auth.exceptions.TransportError) as error:
            raise ExternalUnavailable(SERVICE, f"connection failed: {type(error).__name__}") from None
        except google.auth.exceptions.RefreshError as error:
            if getattr(error, "retryable", False):  # the token endpoint was down (5xx, 429): not a refusal
                raise ExternalUnavailable(SERVICE, "token endpoint unavailable") from None
            # Google's token endpoint refused the service account (a revoked or unknown key).
            detail = str(error.args[0]) if error.args else "refused"
            raise ExternalRejected(SERVICE, f"token refused: {detail[:200]}", reason="token_refused") from None


def _api_error(error: APIError) -> ExternalError:
    status = error.response.status_code
    message = str(error.error.get("message", ""))[:300]
    if status == 429:
        return ExternalRateLimited(SERVICE, f"rate limited: {message}", retry_after=retry_after(error.response.headers))
    if status >= 500:
        return ExternalUnavailable(SERVICE, f"HTTP {status}: {message}")
    reason = str(error.error.get("status") or f"http_{status}")
    return ExternalRejected(SERVICE, f"HTTP {status}: {message}", reason=reason, status=status)
