"""The sqlc process plugin (`format: json`): a GenerateRequest on stdin, a GenerateResponse on stdout.

sqlc runs it as `blossom-sqlc-gen-python` (a script this project installs). The options carry
what sqlc's request lacks: the queries file's path for the header and the schema's domains.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from tools.codegen_db.generate import GenerationError, generate

OUTPUT_NAME = "queries.py"


def ruff_format(source: str, filename: str) -> str:
    """Sort imports and format like the rest of the repository (ruff reads pyproject.toml)."""
    ruff = str(Path(sys.executable).parent / "ruff")
    for args in (["check", "--select", "I", "--fix", "--quiet", "--exit-zero"], ["format", "--quiet"]):
        result = subprocess.run(
            [ruff, *args, "--stdin-filename", filename, "-"], input=source, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise GenerationError(f"ruff could not format the generated {filename}: {result.stderr.strip()}")
        source = result.stdout
    return source


def main() -> None:
    request = json.load(sys.stdin)
    options = json.loads(base64.b64decode(request["plugin_options"] or b"e30=") or b"{}")
    source = options.get("source", "queries.sql")
    try:
        module = generate(request, source=source, domains=options.get("domains", {}))
        module = ruff_format(module, str(Path(source).with_name(OUTPUT_NAME)))
    except GenerationError as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(1)
    response = {"files": [{"name": OUTPUT_NAME, "contents": base64.b64encode(module.encode()).decode()}]}
    json.dump(response, sys.stdout)


if __name__ == "__main__":
    main()
