"""Drive sqlc over every queries file: write its config, run it, and check or place the output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from foundation.settings import REPO_ROOT
from tools.codegen_db.generate import HEADER, domains_from_schema
from tools.codegen_db.plugin import OUTPUT_NAME

SCHEMA = REPO_ROOT / "database" / "schema.sql"
SEARCH_ROOTS = ["database", "product", "panopticon", "pipeline"]
QUERIES_NAME = "queries.sql"
_CHECK_DIR = REPO_ROOT / ".blossom" / f"codegen-db-check-{os.getpid()}"
_MARKER = HEADER.split("{")[0]


class CodegenFailed(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    queries: Path
    out_dir: Path


def discover(tree: Path = REPO_ROOT) -> list[Path]:
    return sorted(p for root in SEARCH_ROOTS for p in (tree / root).rglob(QUERIES_NAME))


def _relative(path: Path) -> str:
    return os.path.relpath(path, REPO_ROOT)


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def run_sqlc(entries: list[Entry], schema: Path) -> None:
    """Generate `queries.py` into each entry's out_dir; sqlc's own message on bad SQL."""
    if not entries:
        return
    domains = domains_from_schema(schema.read_text().splitlines())
    config = {
        "version": "2",
        "plugins": [{"name": "blossom-python", "process": {"cmd": _bin("blossom-sqlc-gen-python"), "format": "json"}}],
        "sql": [
            {
                "schema": _relative(schema),
                "queries": _relative(entry.queries),
                "engine": "postgresql",
                "codegen": [
                    {
                        "out": _relative(entry.out_dir),
                        "plugin": "blossom-python",
                        "options": {"source": _relative(entry.queries), "domains": domains},
                    }
                ],
            }
            for entry in entries
        ],
    }
    # In the root, so sqlc's messages name repo-relative paths; per process, so runs can overlap.
    config_file = REPO_ROOT / f".sqlc.generated.{os.getpid()}.json"
    config_file.write_text(json.dumps(config, indent=2))
    try:
        result = subprocess.run(
            [_bin("sqlc"), "generate", "-f", config_file.name],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        config_file.unlink(missing_ok=True)
    if result.returncode != 0:
        lines = (result.stderr + result.stdout).splitlines()
        message = "\n".join(line for line in lines if not line.startswith("# package"))
        raise CodegenFailed(message.replace("error generating code: process: error running command ", "").strip())


def generate_all(tree: Path = REPO_ROOT) -> list[Path]:
    """Regenerate every module beside its queries file; returns the modules written."""
    queries = discover(tree)
    run_sqlc([Entry(q, q.parent) for q in queries], tree / SCHEMA.relative_to(REPO_ROOT))
    return [q.with_name(OUTPUT_NAME) for q in queries]


def orphans(tree: Path = REPO_ROOT) -> list[Path]:
    """Generated modules whose queries file is gone."""
    found = []
    for root in SEARCH_ROOTS:
        for module in (tree / root).rglob(OUTPUT_NAME):
            if not module.with_name(QUERIES_NAME).exists() and module.read_text().startswith(_MARKER):
                found.append(module)
    return found


def stale(tree: Path = REPO_ROOT) -> list[str]:
    """Problems that make the checked-in generated code differ from a fresh generation."""
    shutil.rmtree(_CHECK_DIR, ignore_errors=True)
    queries = discover(tree)
    try:
        run_sqlc(
            [Entry(q, _CHECK_DIR / q.parent.relative_to(tree)) for q in queries], tree / SCHEMA.relative_to(REPO_ROOT)
        )
        problems = []
        for q in queries:
            committed = q.with_name(OUTPUT_NAME)
            name = committed.relative_to(tree)
            fresh = (_CHECK_DIR / q.parent.relative_to(tree) / OUTPUT_NAME).read_text()
            if not committed.exists():
                problems.append(f"{name} is missing")
            elif committed.read_text() != fresh:
                problems.append(f"{name} is stale")
        problems += [f"{m.relative_to(tree)} has no {QUERIES_NAME} any more" for m in orphans(tree)]
        return problems
    finally:
        shutil.rmtree(_CHECK_DIR, ignore_errors=True)
