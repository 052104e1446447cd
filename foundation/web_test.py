import json

import pytest

from foundation.logging import flush_logs
from foundation.settings import load_settings
from foundation.web import REQUEST_ID_HEADER, health_blueprint, new_app, request_id_from


def _app(healthy: bool = True):
    async def probe() -> tuple[bool, dict[str, object]]:
        return healthy, {"reachable": healthy}

    app = new_app("probe", load_settings({"LOG_FORMAT": "json"}))
    app.register_blueprint(health_blueprint("probe", {"database": probe}))
    return app


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


async def test_api_docs_serve_the_generated_document(tmp_path) -> None:
    from foundation.web import api_docs_blueprint

    document = tmp_path / "openapi.json"
    document.write_text('{"openapi": "3.1.0"}')
    app = new_app("docs", load_settings({}))
    app.register_blueprint(api_docs_blueprint("Docs", document))
    client = app.test_client()
    assert await (await client.get("/openapi.json")).get_json() == {"openapi": "3.1.0"}
    page = await (await client.get("/docs")).get_data(as_text=True)
    assert 'data-url="/openapi.json"' in page


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
