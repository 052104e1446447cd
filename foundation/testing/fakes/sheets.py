"""A fake of the Google Sheets API v4 and Google's OAuth token endpoint.

- `POST /token`: the service-account JWT grant (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`),
  the assertion's signature checked against the key the fake issued; answers an access token.
- `GET /v4/spreadsheets/{id}`: metadata (sheets' properties and grid sizes).
- `GET /v4/spreadsheets/{id}/values/{range}`: a whole worksheet (`Title` or `'Title'`), formatted.
- `POST /v4/spreadsheets/{id}:batchUpdate`: `updateSheetProperties` (grid size), `updateCells`
  (with `range`: clears it; with `start` and `rows`: writes them).
- `POST /v4/spreadsheets/{id}/values:batchUpdate` and `values:batchClear`.

Every Sheets call needs `Authorization: Bearer` with a token the fake issued; errors are
Google's JSON envelope (`{"error": {"code", "message", "status"}}`)."""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from aiohttp import web

from foundation.testing.fakes.server import Fake, Recorded, json_response

ACCESS_TOKEN = "ya29.fake-access-token"  # noqa: S105 (a fake's, for tests)
CLIENT_EMAIL = "blossom-tests@fake-project.iam.gserviceaccount.com"
Cell = str | int | float | bool


@functools.cache
def _key_pair() -> tuple[str, str]:
    """A fresh RSA key (private PEM, public PEM), made once per process on first use."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class FakeWorksheet:
    sheet_id: int
    title: str
    rows: list[list[Cell]] = field(default_factory=list)
    row_count: int = 1000
    column_count: int = 26


def _error(code: int, status: str, message: str) -> web.Response:
    return json_response({"error": {"code": code, "message": message, "status": status}}, code)


def _formatted(value: Cell) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _title(a1: str) -> str:
    """The worksheet of a whole-sheet range (`Title`, `'It''s'`, `Title!A1`: the part before !)."""
    name = a1.split("!", 1)[0] if not a1.startswith("'") else a1[1 : a1.rindex("'")].replace("''", "'")
    return name


@dataclass
class FakeSheets(Fake):
    spreadsheets: dict[str, list[FakeWorksheet]] = field(default_factory=dict)
    tokens_issued: int = 0

    def __post_init__(self) -> None:
        super().__init__()

    @property
    def private_key(self) -> str:
        return _key_pair()[0]

    def service_account_info(self) -> dict[str, str]:
        """A service account's JSON key whose token_uri is this fake."""
        return {
            "type": "service_account",
            "project_id": "fake-project",
            "private_key_id": "fake-key-1",
            "private_key": self.private_key,
            "client_email": CLIENT_EMAIL,
            "client_id": "100000000000000000000",
            "token_uri": f"{self.origin}/token",
        }

    def settings(self, directory: Path) -> dict[str, str]:
        """Writes the service account's key file into `directory`; the environment pointing
        `ExternalSettings` here."""
        path = directory / "service-account.json"
        path.write_text(json.dumps(self.service_account_info()))
        return {"GOOGLE_SERVICE_ACCOUNT_FILE": str(path), "SHEETS_BASE_URL": f"{self.origin}/v4/spreadsheets"}

    def add_worksheet(self, spreadsheet_id: str, title: str, rows: Sequence[Sequence[Cell]] = ()) -> FakeWorksheet:
        sheets = self.spreadsheets.setdefault(spreadsheet_id, [])
        sheet = FakeWorksheet(len(sheets), title, [list(r) for r in rows])
        sheets.append(sheet)
        return sheet

    def worksheet(self, spreadsheet_id: str, title: str) -> FakeWorksheet:
        return next(s for s in self.spreadsheets[spreadsheet_id] if s.title == title)

    def error_body(self, status: int) -> Any:
        names = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
        return {"error": {"code": status, "message": f"scripted {status}", "status": names.get(status, "UNKNOWN")}}

    def sheets_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/v4/")]

    async def handle(self, request: web.Request, recorded: Recorded) -> web.StreamResponse:
        if recorded.path == "/token" and request.method == "POST":
            return self._token(recorded)
        if not recorded.path.startswith("/v4/spreadsheets/"):
            return _error(404, "NOT_FOUND", "Not found")
        if recorded.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        # The raw path: a range may hold an escaped "/" or "?".
        rest = request.raw_path.split("?", 1)[0][len("/v4/spreadsheets/") :]
        match = re.fullmatch(r"([^/:]+)(?::(batchUpdate)|/values/(.+)|/values:(batchUpdate|batchClear))?", rest)
        if match is None:
            return _error(404, "NOT_FOUND", "Not found")
        spreadsheet_id, batch, a1, values_batch = match.groups()
        sheets = self.spreadsheets.get(spreadsheet_id)
        if sheets is None:
            return _error(404, "NOT_FOUND", "Requested entity was not found.")
        if request.method == "GET" and batch is None and a1 is None and values_batch is None:
            return json_response(self._metadata(spreadsheet_id, sheets))
        if request.method == "GET" and a1 is not None:
            return self._values_get(sheets, unquote(a1))
        if request.method == "POST" and batch is not None:
            return self._batch_update(spreadsheet_id, sheets, recorded.json())
        if request.method == "POST" and values_batch == "batchUpdate":
            return self._values_batch_update(spreadsheet_id, sheets, recorded.json())
        if request.method == "POST" and values_batch == "batchClear":
            return self._values_batch_clear(spreadsheet_id, sheets, recorded.json())
        return _error(404, "NOT_FOUND", "Not found")

    def _token(self, recorded: Recorded) -> web.Response:
        from google.auth import jwt

        form = dict(parse_qsl(recorded.body.decode()))
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return json_response({"error": "unsupported_grant_type"}, 400)
        try:
            # google-auth addresses the assertion to Google's token endpoint wherever it posts it
            audiences = ["https://oauth2.googleapis.com/token", f"{self.origin}/token"]
            claims = jwt.decode(form.get("assertion", ""), certs=_key_pair()[1], audience=audiences)
        except ValueError as error:
            return json_response({"error": "invalid_grant", "error_description": str(error)}, 400)
        if claims.get("iss") != CLIENT_EMAIL:
            return json_response({"error": "invalid_grant", "error_description": "unknown issuer"}, 400)
        self.tokens_issued += 1
        return json_response({"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"})

    def _metadata(self, spreadsheet_id: str, sheets: list[FakeWorksheet]) -> dict[str, Any]:
        return {
            "spreadsheetId": spreadsheet_id,
            "properties": {"title": f"Spreadsheet {spreadsheet_id}", "locale": "en_US"},
            "sheets": [
                {
                    "properties": {
                        "sheetId": s.sheet_id,
                        "title": s.title,
                        "index": index,
                        "sheetType": "GRID",
                        "gridProperties": {"rowCount": s.row_count, "columnCount": s.column_count},
                    }
                }
                for index, s in enumerate(sheets)
            ],
        }

    def _find(self, sheets: list[FakeWorksheet], a1: str) -> FakeWorksheet | None:
        title = _title(a1)
        return next((s for s in sheets if s.title == title), None)

    def _values_get(self, sheets: list[FakeWorksheet], a1: str) -> web.Response:
        sheet = self._find(sheets, a1)
        if sheet is None:
            return _error(400, "INVALID_ARGUMENT", f"Unable to parse range: {a1}")
        rows = [[_formatted(v) for v in row] for row in sheet.rows]
        while rows and not any(rows[-1]):
            rows.pop()
        rows = [row[: max((i + 1 for i, v in enumerate(row) if v != ""), default=0)] for row in rows]
        body: dict[str, Any] = {"range": f"'{sheet.title}'!A1:Z{sheet.row_count}", "majorDimension": "ROWS"}
        if rows:
            body["values"] = rows
        return json_response(body)

    def _sheet_by_id(self, sheets: list[FakeWorksheet], sheet_id: Any) -> FakeWorksheet | None:
        return next((s for s in sheets if s.sheet_id == sheet_id), None)

    def _batch_update(self, spreadsheet_id: str, sheets: list[FakeWorksheet], body: dict[str, Any]) -> web.Response:
        replies: list[dict[str, Any]] = []
        staged = [
            FakeWorksheet(s.sheet_id, s.title, [list(r) for r in s.rows], s.row_count, s.column_count) for s in sheets
        ]
        for item in body.get("requests", []):
            (kind, spec), *_ = item.items()
            if kind == "updateSheetProperties":
                sheet = self._sheet_by_id(staged, spec["properties"].get("sheetId", 0))
                if sheet is None:
                    return _error(400, "INVALID_ARGUMENT", "No grid with id")
                grid = spec["properties"].get("gridProperties", {})
                sheet.row_count = grid.get("rowCount", sheet.row_count)
                sheet.column_count = grid.get("columnCount", sheet.column_count)
            elif kind == "updateCells" and "range" in spec:
                sheet = self._sheet_by_id(staged, spec["range"].get("sheetId", 0))
                if sheet is None:
                    return _error(400, "INVALID_ARGUMENT", "No grid with id")
                if spec.get("rows"):
                    return _error(400, "INVALID_ARGUMENT", "the fake writes rows from `start` only")
                sheet.rows = []
            elif kind == "updateCells" and "start" in spec:
                start = spec["start"]
                sheet = self._sheet_by_id(staged, start.get("sheetId", 0))
                if sheet is None:
                    return _error(400, "INVALID_ARGUMENT", "No grid with id")
                cells = [[_cell(v.get("userEnteredValue", {})) for v in row.get("values", [])] for row in spec["rows"]]
                top, left = start.get("rowIndex", 0), start.get("columnIndex", 0)
                if top + len(cells) > sheet.row_count or left + max(map(len, cells), default=0) > sheet.column_count:
                    return _error(400, "INVALID_ARGUMENT", "Range exceeds grid limits.")
                _write(sheet, top, left, cells)
            else:
                return _error(400, "INVALID_ARGUMENT", f"the fake does not implement {kind}")
            replies.append({})
        self.spreadsheets[spreadsheet_id] = staged  # all or nothing, as Google applies a batch
        return json_response({"spreadsheetId": spreadsheet_id, "replies": replies})

    def _values_batch_update(
        self, spreadsheet_id: str, sheets: list[FakeWorksheet], body: dict[str, Any]
    ) -> web.Response:
        for data in body.get("data", []):
            sheet = self._find(sheets, data["range"])
            if sheet is None:
                return _error(400, "INVALID_ARGUMENT", f"Unable to parse range: {data['range']}")
            cells = [list(row) for row in data.get("values", [])]
            sheet.row_count = max(sheet.row_count, len(cells))
            _write(sheet, 0, 0, cells)
        return json_response(
            {"spreadsheetId": spreadsheet_id, "totalUpdatedRows": sum(len(sheet.rows) for sheet in sheets)}
        )

    def _values_batch_clear(
        self, spreadsheet_id: str, sheets: list[FakeWorksheet], body: dict[str, Any]
    ) -> web.Response:
        for a1 in body.get("ranges", []):
            sheet = self._find(sheets, a1)
            if sheet is None:
                return _error(400, "INVALID_ARGUMENT", f"Unable to parse range: {a1}")
            sheet.rows = []
        return json_response({"spreadsheetId": spreadsheet_id, "clearedRanges": body.get("ranges", [])})


def _cell(value: dict[str, Any]) -> Cell:
    for kind in ("stringValue", "numberValue", "boolValue", "formulaValue"):
        if kind in value:
            return value[kind]
    return ""


def _write(sheet: FakeWorksheet, top: int, left: int, cells: list[list[Cell]]) -> None:
    for r, row in enumerate(cells):
        while len(sheet.rows) <= top + r:
            sheet.rows.append([])
        target = sheet.rows[top + r]
        while len(target) < left + len(row):
            target.append("")
        target[left : left + len(row)] = row


@contextlib.contextmanager
def sheets_fake() -> Iterator[FakeSheets]:
    with FakeSheets().serving() as fake:
        yield fake
