"""List the public API of the lower layers, so people (and tools) can discover what exists.

    python -m tools.list_symbols [PACKAGE ...]     default: foundation database

Reads source with `ast` (imports nothing, runs nothing). One line per public function, class
and constant: `module.name(signature)  first line of its docstring`, with `async ` before a
coroutine function.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from foundation.settings import REPO_ROOT
from tools.cli import run

DEFAULT_PACKAGES = ["foundation", "database"]


def _is_public(name: str) -> bool:
    return not name.startswith("_")


def _modules(package: str) -> Iterator[tuple[str, Path]]:
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        relative = path.relative_to(REPO_ROOT).with_suffix("")
        parts = relative.parts
        if path.name.endswith("_test.py") or not all(_is_public(p) or p == "__init__" for p in parts):
            continue
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _summary(node: ast.AST) -> str:
    doc = ast.get_docstring(node) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else None
    return doc.strip().splitlines()[0] if doc else ""


def _function(module: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """`async module.name(args) -> returns`, the way the function is declared."""
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    prefix = "async " if isinstance(node, ast.AsyncFunctionDef) else ""
    return f"{prefix}{module}.{node.name}({ast.unparse(node.args)}){returns}"


def symbols(package: str) -> Iterator[str]:
    for module, path in _modules(package):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_public(node.name):
                line = _function(module, node)
            elif isinstance(node, ast.ClassDef) and _is_public(node.name):
                bases = ", ".join(ast.unparse(b) for b in node.bases)
                line = f"{module}.{node.name}" + (f"({bases})" if bases else "")
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper() and _is_public(t.id)]
                for name in names:
                    yield f"{module}.{name} = {ast.unparse(node.value)[:60] if node.value else '…'}"
                continue
            else:
                continue
            summary = _summary(node)
            yield f"{line}  {summary}" if summary else line


def main(argv: list[str]) -> int:
    for package in argv or DEFAULT_PACKAGES:
        if not (REPO_ROOT / package).is_dir():
            print(f"error: no package {package!r} at the repository root", file=sys.stderr)
            return 1
        for line in symbols(package):
            print(line)
    return 0


if __name__ == "__main__":
    run(main)
