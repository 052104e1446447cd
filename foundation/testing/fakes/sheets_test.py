"""The Sheets fake's values endpoints that the facade does not use, over plain HTTP."""

from __future__ import annotations

import httpx

from foundation.testing.fakes.sheets import ACCESS_TOKEN, sheets_fake


def test_values_batch_update_and_batch_clear_follow_the_wire_format() -> None:
    with sheets_fake() as fake:
        fake.add_worksheet("s1", "data", [["old", "old"]])
        auth = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
        base = f"{fake.origin}/v4/spreadsheets/s1"
        with httpx.Client(headers=auth) as http:
            body = {"valueInputOption": "RAW", "data": [{"range": "'data'!A1", "values": [["a", 1], ["b", 2]]}]}
            assert http.post(f"{base}/values:batchUpdate", json=body).status_code == 200
            assert http.get(f"{base}/values/data").json()["values"] == [["a", "1"], ["b", "2"]]
            assert http.post(f"{base}/values:batchClear", json={"ranges": ["data"]}).status_code == 200
            assert "values" not in http.get(f"{base}/values/data").json()
            missing = http.get(f"{base}/values/nope")
            assert missing.status_code == 400
            assert missing.json()["error"]["status"] == "INVALID_ARGUMENT"
        assert httpx.get(f"{base}/values/data").status_code == 401  # no token
