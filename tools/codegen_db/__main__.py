"""`just codegen-db [--check]`: typed asyncpg modules from every `queries.sql`, checked by sqlc.

Each `queries.sql` under database/, product/, panopticon/ or pipeline/ gets a `queries.py`
beside it, generated from sqlc's analysis of the query against database/schema.sql.
"""

from __future__ import annotations

import argparse
import os
import sys

from foundation.settings import REPO_ROOT
from tools.cli import run
from tools.codegen_db.run import CodegenFailed, generate_all, orphans, stale


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.codegen_db", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when a generated module is stale")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = stale()
            for problem in problems:
                print(f"{problem}: run `just codegen-db` and commit the result", file=sys.stderr)
            if not problems:
                print("generated query modules are up to date")
            return 1 if problems else 0
        for module in generate_all():
            print(f"wrote {os.path.relpath(module, REPO_ROOT)}")
        for module in orphans():
            module.unlink()
            print(f"removed {os.path.relpath(module, REPO_ROOT)} (its queries.sql is gone)")
        return 0
    except CodegenFailed as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    run(main)
