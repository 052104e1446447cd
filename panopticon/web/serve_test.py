"""The console's files over HTTP: the page at /, its script and stylesheet, each with the strict
Content-Security-Policy, never cached without revalidation; nothing else is served from /console/."""

import re

from database.testing.app_checks import rpc_client
from database.testing.fixture import T
from panopticon.app import create_app
from panopticon.web.serve import STATIC


async def test_the_page_and_its_assets_are_served_with_a_strict_policy(t: T) -> None:
    async with rpc_client(t, create_app) as client:
        page = await client.get("/")
        script = await client.get("/console/console.js")
        style = await client.get("/console/console.css")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.content == (STATIC / "index.html").read_bytes()
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.content == (STATIC / "console.js").read_bytes()
    assert style.headers["content-type"] == "text/css; charset=utf-8"
    for response in (page, script, style):
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "default-src 'none'" in policy
        assert "connect-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe" not in policy  # no inline script or style, no eval
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-cache"


async def test_the_page_has_no_inline_script_and_loads_only_its_own_files() -> None:
    html = (STATIC / "index.html").read_text()
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts == [""]  # one script element, with a src and no body
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["/console/console.css", "/console/console.js"]
    assert " on" not in re.sub(r"<noscript>.*?</noscript>", "", html)  # no inline event handlers


async def test_only_the_bundle_is_served(t: T) -> None:
    async with rpc_client(t, create_app) as client:
        for path in ("/console/index.html", "/console/../serve.py", "/console/serve.py", "/console/", "/index.html"):
            response = await client.get(path)
            assert response.status_code == 404, path
