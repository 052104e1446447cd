"""The embedded server keeps its data across restarts and recovers from a killed predecessor."""

import os
import signal
import time
from pathlib import Path
from typing import LiteralString

import psycopg
import pytest

from database import embedded
from database.embedded import EmbeddedServer


def _execute(server: EmbeddedServer, statement: LiteralString) -> list[tuple]:
    with psycopg.connect(server.url(), autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def data_dir(tmp_path: Path):
    path = tmp_path / "pg"
    yield path
    embedded.stop(path)


def test_restart_keeps_data(data_dir: Path) -> None:
    server = embedded.ensure_running(data_dir)
    _execute(server, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
    assert embedded.stop(data_dir)
    assert not embedded.is_running(data_dir)
    server = embedded.ensure_running(data_dir)
    assert _execute(server, "SELECT v FROM kept") == [("still here",)]


def test_a_running_server_is_reused(data_dir: Path) -> None:
    first = embedded.ensure_running(data_dir)
    pid = (data_dir / "postmaster.pid").read_text().split()[0]
    second = embedded.ensure_running(data_dir)
    assert second == first
    assert (data_dir / "postmaster.pid").read_text().split()[0] == pid


def test_a_killed_server_with_a_stale_pid_file_is_recovered(data_dir: Path) -> None:
    embedded.ensure_running(data_dir)
    pid = int((data_dir / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while embedded.is_running(data_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (data_dir / "postmaster.pid").exists(), "the stale pid file is what this test is about"
    server = embedded.ensure_running(data_dir)
    assert _execute(server, "SELECT 1") == [(1,)]


def test_a_stale_pid_file_naming_another_live_process_is_recovered(data_dir: Path) -> None:
    embedded.ensure_running(data_dir)
    embedded.stop(data_dir)
    # Pid reuse: the old pid now belongs to an unrelated process (here: this test).
    lines = ["" for _ in range(8)]
    lines[0] = str(os.getpid())
    (data_dir / "postmaster.pid").write_text("\n".join(lines))
    (data_dir / "postmaster.pid").chmod(0o600)
    server = embedded.ensure_running(data_dir)
    assert _execute(server, "SELECT 1") == [(1,)]


def test_a_cluster_being_initialised_is_not_running(data_dir: Path) -> None:
    # initdb's bootstrap backend writes its pid negated into postmaster.pid.
    data_dir.mkdir()
    (data_dir / "postmaster.pid").write_text(f"-{os.getpid()}\n{data_dir}\n")
    assert not embedded.is_running(data_dir)
