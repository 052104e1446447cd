import json
from collections.abc import AsyncGenerator
from html.parser import HTMLParser

import httpx
import pytest

from foundation.logging import flush_logs
from foundation.settings import load_settings
from foundation.web import REQUEST_ID_HEADER, WebApp, new_app, request_id_from


def _app(healthy: bool = True) -> WebApp:
    async def probe() -> tuple[bool, dict[str, object]]:
        return healthy, {"reachable": healthy}

    return new_app("probe", load_settings({"LOG_FORMAT": "json"}), health={"database": probe})


def _client(app: WebApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app")


async def test_a_request_id_is_generated_and_echoed() -> None:
    response = await _client(_app()).get("/health")
    assert response.headers[REQUEST_ID_HEADER].startswith("req_")


async def test_a_callers_request_id_is_kept() -> None:
    response = await _client(_app()).get("/health", headers={REQUEST_ID_HEADER: "abc-123"})
    assert response.headers[REQUEST_ID_HEADER] == "abc-123"


@pytest.mark.parametrize("hostile", ["x" * 200, "line\nbreak", "<script>", ""])
def test_unsafe_request_ids_are_replaced(hostile: str) -> None:
    assert request_id_from(hostile).startswith("req_")


async def test_the_access_log_is_json_and_carries_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    app = _app()
    await _client(app).get("/health", headers={REQUEST_ID_HEADER: "trace-me"})
    flush_logs()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["event"] == "request"]
    assert access[-1]["request_id"] == "trace-me"
    assert access[-1]["status"] == 200
    assert access[-1]["path"] == "/health"


async def test_health_is_503_when_a_probe_fails() -> None:
    response = await _client(_app(healthy=False)).get("/health")
    assert response.status_code == 503
    assert response.json() == {"app": "probe", "status": "degraded", "database": {"reachable": False}}


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
    client = _client(app)
    assert (await client.get("/openapi.json")).json() == {"openapi": "3.1.0"}
    response = await client.get("/docs")
    page = response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
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
        content_type = asset.headers["content-type"]
        assert content_type.split(";")[0] in {"text/javascript", "text/css"}, (url, content_type)
        assert len(asset.content) > 100_000, url  # the viewer itself, not a stub
    assert "://" not in page


async def test_other_paths_are_404_and_other_methods_405_with_the_request_id() -> None:
    client = _client(_app())
    missing = await client.get("/nothing/here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert missing.headers[REQUEST_ID_HEADER].startswith("req_")
    posted = await client.post("/health")
    assert (posted.status_code, posted.headers["allow"]) == (405, "GET, HEAD")
    head = await client.head("/health")
    assert (head.status_code, head.content) == (200, b"")


async def test_serving_hooks_run_in_order_and_a_failed_start_up_reports_its_message() -> None:
    app = _app()
    events: list[str] = []

    async def opened() -> None:
        events.append("before")

    async def closed() -> None:
        events.append("after")

    async def serving() -> AsyncGenerator[None, None]:
        events.append("while: start")
        yield
        events.append("while: stop")

    app.before_serving(opened)
    app.while_serving(serving)
    app.after_serving(closed)
    async with app.test_app():
        assert events == ["before", "while: start"]
    assert events == ["before", "while: start", "while: stop", "after"]

    async def refuse() -> None:
        raise RuntimeError("no database for you")

    failing = _app()
    failing.before_serving(refuse)
    messages = iter([{"type": "lifespan.startup"}])
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message)

    await failing({"type": "lifespan"}, receive, send)
    assert sent == [{"type": "lifespan.startup.failed", "message": "no database for you"}]


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
