"""`just dev` end to end: real processes, real HTTP, the embedded PostgreSQL in a fresh folder."""

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from database import embedded
from database.migrate import migration_files
from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port
from product.testing import PASSWORD


def _environment(data_dir: Path, product_port: int, panopticon_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL", "APP_DATABASE_URL"}}
    env.update(BLOSSOM_DATA_DIR=str(data_dir), PRODUCT_PORT=str(product_port), PANOPTICON_PORT=str(panopticon_port))
    return env


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator:
    data_dir = tmp_path / "data"
    ports = (free_port(), free_port())
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.dev"],
            cwd=REPO_ROOT,
            env=_environment(data_dir, *ports),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        return process

    yield start, data_dir, ports
    for process in processes:
        if process.poll() is None:
            process.kill()
    embedded.stop(data_dir / "postgres")


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


def _log_in_over_plain_http(base_url: str) -> None:
    """What a script does against `just dev`: an HTTP client keeps the session cookie only when it
    lacks Secure (clients, like browsers, send Secure cookies over https alone)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        signup = {"email": "dev@example.com", "password": PASSWORD, "display_name": "Dev"}
        assert client.post("/rpc/auth.signup", json=signup).status_code == 200
        login = client.post("/rpc/auth.login", json={"email": "dev@example.com", "password": PASSWORD})
        assert login.status_code == 200, login.text
        assert "Secure" not in login.headers["set-cookie"]
        assert client.get("/rpc/auth.init").json()["user"]["email"] == "dev@example.com"


def _docs_served_by_the_app(base_url: str) -> None:
    """/docs works offline: the viewer it loads comes from the app itself."""
    page = httpx.get(f"{base_url}/docs", timeout=60)
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        assert httpx.get(f"{base_url}{asset}", timeout=60).status_code == 200, asset


def _announced(process: subprocess.Popen) -> tuple[dict[str, str], str]:
    """Read `just dev`'s output up to the lines announcing both apps: ({app: url}, what was read)."""
    assert process.stdout is not None
    urls: dict[str, str] = {}
    read: list[str] = []
    while len(urls) < 2:
        line = process.stdout.readline()
        assert line, "just dev ended before announcing both apps:\n" + "".join(read)
        read.append(line)
        if match := re.fullmatch(r"(product|panopticon) +(http://\S+)", line.strip()):
            urls[match[1]] = match[2]
    return urls, "".join(read)


def _health_at_once(url: str) -> dict:
    """One GET, no retry: an announced server must already accept connections."""
    response = httpx.get(url, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def test_dev_serves_both_apps_and_keeps_data_across_restarts(dev_server) -> None:
    start, data_dir, (product_port, panopticon_port) = dev_server
    latest = migration_files()[-1].stem
    expected_urls = {
        "product": f"http://127.0.0.1:{product_port}/health",
        "panopticon": f"http://127.0.0.1:{panopticon_port}/health",
    }

    first = start()
    urls, announced = _announced(first)
    assert urls == expected_urls
    for name, url in urls.items():
        body = _health_at_once(url)
        assert body == {"app": name, "status": "ok", "database": {"reachable": True, "schema_version": latest}}

    _log_in_over_plain_http(f"http://127.0.0.1:{product_port}")
    _docs_served_by_the_app(f"http://127.0.0.1:{product_port}")

    server = embedded.EmbeddedServer(data_dir / "postgres", embedded.socket_dir_for((data_dir / "postgres").resolve()))
    with psycopg.connect(server.url("blossom", "blossom_owner"), autocommit=True) as conn:
        conn.execute("INSERT INTO orgs (name) VALUES ('Survives restarts')")
    output = announced + _stop(first)
    assert f"applied {migration_files()[0].stem}" in output
    assert not embedded.is_running(data_dir / "postgres"), "dev stops the PostgreSQL it started"

    second = start()
    urls, announced = _announced(second)
    assert urls == expected_urls
    assert _health_at_once(urls["product"])["database"]["schema_version"] == latest
    assert _health_at_once(urls["panopticon"])["status"] == "ok"
    with psycopg.connect(server.url("blossom", "blossom_owner"), autocommit=True) as conn:
        assert conn.execute("SELECT name FROM orgs").fetchall() == [("Survives restarts",)]
    assert "migrations up to date" in announced + _stop(second)


@pytest.mark.parametrize("setting", ["PRODUCT_PORT", "PANOPTICON_PORT"])
def test_a_busy_port_is_one_line_naming_its_setting(tmp_path: Path, setting: str) -> None:
    env = _environment(tmp_path, free_port(), free_port())
    with socket.socket() as busy:  # another program listening there
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env[setting] = str(port)
        result = subprocess.run(
            [sys.executable, "-m", "tools.dev"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
        )
    assert (result.returncode, result.stderr) == (1, f"error: port {port} is in use; set {setting} to another port\n")
    assert not (tmp_path / "postgres").exists(), "checked before PostgreSQL starts"


def test_a_wrong_database_url_is_one_clear_line(tmp_path: Path) -> None:
    env = _environment(tmp_path, free_port(), free_port())
    env["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:1/blossom"
    result = subprocess.run(
        [sys.executable, "-m", "tools.dev"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach PostgreSQL at 127.0.0.1:1")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
