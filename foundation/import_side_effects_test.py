"""CLAUDE.md promises no import-time side effects outside `*/asgi.py`: importing the foundation
(and building an app, short of serving it) registers no process hooks, reads no files it does not
need and computes no password hash."""

import ast
import os
import subprocess
import sys

from foundation.settings import REPO_ROOT

PROBE = """
import atexit, hashlib, os, sys
calls = []
OURS = ("foundation", "database", "product", "panopticon")

def recorder(what, real):
    def record(*args, **kwargs):
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.split(".")[0] in OURS:  # the standard library's own hooks (random, logging) are not ours
            calls.append(f"{what} from {caller}")
        return real(*args, **kwargs)
    return record

atexit.register = recorder("atexit.register", atexit.register)
os.register_at_fork = recorder("os.register_at_fork", os.register_at_fork)
hashlib.pbkdf2_hmac = recorder("pbkdf2", hashlib.pbkdf2_hmac)
import foundation.logging, foundation.web, foundation.passwords, foundation.rpc
import foundation.external.openai, foundation.external.slack, foundation.external.sheets, foundation.external.llm_cache
import foundation.testing.fakes
from foundation.settings import load_settings
from product.app import create_app
create_app(load_settings({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}))
print(sorted(set(calls)))
"""


def test_importing_the_foundation_and_building_an_app_has_no_side_effects() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout


MIGRATION_ONLY = ("psycopg", "yoyo", "sqlparse", "dagster")
# Code a worker does not load at start: Quart and its stack (foundation.web serves what it did),
# pydantic (foundation.settings_reader reads the environment into msgspec structs), rich
# (structlog's pretty tracebacks), and what only some requests need, imported on their first use: the OpenAI SDK and
# its transport, jsonschema, referencing and RE2 (the graph's document validation).
NOT_AT_START = (
    "quart",
    "flask",
    "werkzeug",
    "hypercorn",
    "jinja2",
    "rich",
    "pydantic",
    "pydantic_settings",
    "openai",
    "httpx2",
    "jsonschema",
    "referencing",
    "re2",
)


def test_a_serving_worker_imports_no_migration_or_provisioning_code() -> None:
    # yoyo, sqlparse and psycopg serve `just migrate` and provisioning; a worker never runs them.
    probe = (
        "import sys, product.asgi, panopticon.asgi; "
        "print(sorted({m.split('.')[0] for m, module in sys.modules.items() if module is not None}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={**os.environ, "BLOSSOM_ENV": "development"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = set(ast.literal_eval(result.stdout.strip().splitlines()[-1]))
    assert loaded.isdisjoint(MIGRATION_ONLY), sorted(loaded & set(MIGRATION_ONLY))
    assert loaded.isdisjoint(NOT_AT_START), sorted(loaded & set(NOT_AT_START))
    assert "asyncpg" in loaded  # the probe saw a real worker's imports
