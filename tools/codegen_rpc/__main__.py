"""`just codegen-rpc [--check]`: for each app, from its routes:

<app>/contract.json                     the API contract, for review (demo: product/demo/)
<app>/openapi.json                      OpenAPI 3.1 (served with a docs page in development)
frontend/src/generated/<app>.ts         the typed TypeScript client
frontend/src/generated/runtime.ts       the transport the clients share

`--breaking REF` lists what in the contracts on disk would break a client built against those
committed at REF (exit 1 if anything); `--breaking-history` (CI) checks each step of HEAD's
first-parent history since the commit in .ci/contract-baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from foundation.settings import REPO_ROOT
from tools.cli import run
from tools.codegen_rpc.contract import build_contract
from tools.codegen_rpc.history import check_history, check_ref
from tools.codegen_rpc.model import APPS, ContractError, app_folder, load
from tools.codegen_rpc.openapi import build_openapi
from tools.codegen_rpc.typescript import build_typescript

GENERATED_TS = REPO_ROOT / "frontend" / "src" / "generated"
RUNTIME_TEMPLATE = Path(__file__).with_name("runtime.ts.template")


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def outputs() -> dict[Path, str]:
    files = {GENERATED_TS / "runtime.ts": RUNTIME_TEMPLATE.read_text()}
    for app in APPS:
        routes = load(app)
        contract = build_contract(routes)
        files[REPO_ROOT / app_folder(app) / "contract.json"] = _json(contract)
        files[REPO_ROOT / app_folder(app) / "openapi.json"] = _json(build_openapi(contract))
        files[GENERATED_TS / f"{app}.ts"] = build_typescript(routes)
    return files


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.codegen_rpc", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--check", action="store_true", help="fail when a generated file is stale")
    modes.add_argument("--breaking", metavar="REF", help="fail on breaking changes against the contracts at REF")
    modes.add_argument(
        "--breaking-history", action="store_true", help="fail on a breaking step since .ci/contract-baseline"
    )
    args = parser.parse_args(argv)
    if args.breaking is not None:
        return check_ref(REPO_ROOT, args.breaking)
    if args.breaking_history:
        return check_history(REPO_ROOT)
    try:
        files = outputs()
    except ContractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stale = [path for path, text in files.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(REPO_ROOT)} is stale: run `just codegen-rpc` and commit it", file=sys.stderr)
        if not stale:
            print("generated RPC files are up to date")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path])
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    run(main)
