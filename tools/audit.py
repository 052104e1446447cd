"""Audit log commands.

python -m tools.audit verify     walk every chain of the audit log (database/audit/), recompute
                                 its hashes and print the first broken link of each; exit 1 on
                                 any break (a row edited, deleted or reordered, the last row gone)

It reads as the owner role (every organization's chain), in one read-only REPEATABLE READ
transaction: a consistent picture while requests keep writing. DATABASE_URL names the database
(the development one by default), as for `just migrate`.
"""

from __future__ import annotations

import argparse
import asyncio

from database import embedded
from database.audit import verify_all
from database.connect import connect
from database.target import DatabaseTarget, resolve_target
from foundation.settings import load_settings
from tools.cli import run


async def verify(target: DatabaseTarget) -> int:
    conn = await connect(target.owner)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            chains, rows, breaks = await verify_all(conn)
    finally:
        await conn.close()
    for broken in breaks:
        print(f"broken: {broken}")
    print(f"{chains} chains, {rows} rows verified, {len(breaks)} broken")
    return 1 if breaks else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.audit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("verify", help="recompute every chain's hashes; exit 1 on a broken link")
    parser.parse_args(argv)
    data_dir = load_settings().data_dir / "postgres"
    with embedded.leave_as_found(data_dir):
        return asyncio.run(verify(resolve_target(load_settings())))


if __name__ == "__main__":
    run(main)
