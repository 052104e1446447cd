import json
from html.parser import HTMLParser

import pytest

from foundation.logging import flush_logs
from foundation.settings import load_settings
from foundation.web import REQUEST_ID_HEADER, new_app, request_id_from


def _app(healthy: bool = True):
    async def probe() -> tuple[bool, dict[str, object]]:
        return healthy, {"reachable": healthy}

    return new_app("probe", load_settings({"LOG_FORMAT": "json"}), health={"database": probe})


async def test_a_request_id_is_generated_and_echoed() -> None:
    response = await _app().test_client().get("/health")
    assert response.headers[REQUEST_ID_HEADER].startswith("req_")


async def test_a_callers_request_id_is_kept() -> None:
    response = await _app().test_client().get("/health", headers={REQUEST_ID_HEADER: "abc-123"})
    assert response.headers[REQUEST_ID_HEADER] == "abc-123"


@pytest.mark.parametrize("hostile", ["x" * 200, "line\nbreak", "<script>", ""])
def test_unsafe_request_ids_are_replaced(hostile: str) -> None:
    assert request_id_from(hostile).startswith("req_")


async def test_the_access_log_is_json_and_carries_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    app = _app()
    await app.test_client().get("/health", headers={REQUEST_ID_HEADER: "trace-me"})
    flush_logs()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["event"] == "request"]
    assert access[-1]["request_id"] == "trace-me"
    assert access[-1]["status"] == 200
    assert access[-1]["path"] == "/health"


async def test_health_is_503_when_a_probe_fails() -> None:
    response = await _app(healthy=False).test_client().get("/health")
    assert response.status_code == 503
    assert await response.get_json() == {"app": "probe", "status": "degraded", "database": {"reachable": False}}


class _References(HTMLParser):
    """Every URL a page makes the browser load: script and image sources, stylesheet links."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]


async def test_api_docs_serve_the_document_and_a_viewer_of_their_own(tmp_path) -> None:
    document = tmp_path / "openapi.json"
    document.write_text('{"openapi": "3.1.0"}')
    app = new_app("docs & co", load_settings({}), openapi_file=document)  # development: docs on
    client = app.test_client()
    assert await (await client.get("/openapi.json")).get_json() == {"openapi": "3.1.0"}
    response = await client.get("/docs")
    page = await response.get_data(as_text=True)
    assert response.content_type == "text/html; charset=utf-8"
    assert '<rapi-doc spec-url="/openapi.json"' in page
    assert "<title>Blossom docs &amp; co API</title>" in page

    # Offline, the page must still work: it loads nothing from another origin, and every asset
    # it names is served by the app itself.
    references = _References()
    references.feed(page)
    assert references.urls, page
    for url in references.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content_type.split(";")[0] in {"text/javascript", "text/css"}, (url, asset.content_type)
        assert len(await asset.get_data()) > 100_000, url  # the viewer itself, not a stub
    assert "://" not in page


def test_generated_request_ids_are_unique_and_a_forked_worker_gets_its_own_prefix() -> None:
    import multiprocessing

    ids = {request_id_from(None) for _ in range(1000)}
    assert len(ids) == 1000
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as workers:
        child = workers.apply(request_id_from, (None,))
    parent = request_id_from(None)
    assert len(child) == len(parent) == len("req_") + 24
    assert child[:16] != parent[:16]  # another process, another random prefix
