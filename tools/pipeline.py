"""Pipeline commands on the development database: materialize assets headlessly, or serve the UI.

python -m tools.pipeline materialize [ASSET ...] [--partition KEY | --from KEY --to KEY]
    the database assets (group `analytics`), or those named (the `external` group's call OpenAI,
    Slack or Google Sheets and need their credentials); partitioned ones for their latest
    complete partition (yesterday; last week) unless told which; one run per asset and
    partition (a range is a backfill), recorded in DAGSTER_HOME
python -m tools.pipeline ui
    `dagster dev` on the code location (Ctrl-C stops it)

Both start the embedded PostgreSQL when DATABASE_URL is unset, create roles and apply
migrations, point PIPELINE_DATABASE_URL (unless set) at the development database as
blossom_pipeline, keep Dagster's storage in DAGSTER_HOME (default `.blossom/dagster`), and stop
the server again if they started it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from database import embedded
from database.migrate import apply_migrations
from database.provision import provision
from database.target import resolve_target
from foundation.errors import ConfigurationError
from foundation.settings import REPO_ROOT, load_settings
from foundation.time import system_clock
from tools.cli import run

DEFAULT_GROUP = "analytics"  # what `just materialize` alone runs: the assets that need only the database
DATABASE_URL_VARIABLE = "PIPELINE_DATABASE_URL"  # pipeline.resources reads it; not imported before it is set


def prepare() -> Path:
    """The development database migrated, the pipeline's URL and DAGSTER_HOME set; DAGSTER_HOME."""
    settings = load_settings()
    target = resolve_target(settings)
    provision(target)
    apply_migrations(target)
    os.environ.setdefault(DATABASE_URL_VARIABLE, target.pipeline.render())
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.data_dir / "dagster"))).resolve()
    os.environ["DAGSTER_HOME"] = str(home)  # Dagster wants it absolute
    home.mkdir(parents=True, exist_ok=True)
    return home


def _partitions(partitions_def, args: argparse.Namespace) -> list[str]:
    import dagster as dg

    if args.partition:
        keys = args.partition
    elif args.start or args.end:
        if not (args.start and args.end):
            raise ConfigurationError("--from and --to go together")
        keys = partitions_def.get_partition_keys_in_range(dg.PartitionKeyRange(args.start, args.end))
    else:
        keys = partitions_def.get_partition_keys(current_time=system_clock.now())[-1:]
    for key in keys:
        if not partitions_def.has_partition_key(key):
            first = partitions_def.get_first_partition_key()
            last = partitions_def.get_partition_keys(current_time=system_clock.now())[-1]
            raise ConfigurationError(f"no partition {key!r}: from {first} to {last} (UTC), as YYYY-MM-DD")
    return keys


def materialize(args: argparse.Namespace) -> int:
    home = prepare()
    import dagster as dg

    from pipeline.definitions import defs

    keys = {key.to_user_string(): key for key in defs.resolve_all_asset_keys()}
    unknown = [name for name in args.assets if name not in keys]
    if unknown:
        raise ConfigurationError(f"unknown asset {', '.join(unknown)}; choose from {', '.join(sorted(keys))}")
    graph = defs.resolve_asset_graph()
    definitions = [*(defs.assets or []), *(defs.asset_checks or [])]
    instance = dg.DagsterInstance.get()
    failed = 0
    default = sorted(name for name, key in keys.items() if graph.get(key).group_name == DEFAULT_GROUP)
    for name in args.assets or default:
        partitions_def = graph.get(keys[name]).partitions_def
        for partition in _partitions(partitions_def, args) if partitions_def else [None]:
            result = dg.materialize(
                definitions,  # type: ignore[arg-type]  (checks are assets definitions too)
                selection=[keys[name]],
                instance=instance,
                resources=defs.resources,
                partition_key=partition,
                raise_on_error=False,
            )
            label = f"{name} {partition}" if partition else name
            checks = ", ".join(
                f"{e.check_name} {'passed' if e.passed else 'FAILED'}" for e in result.get_asset_check_evaluations()
            )
            print(
                f"{label}: {'materialized' if result.success else 'FAILED'} (run {result.run_id})"
                + (f"; {checks}" if checks else "")
            )
            failed += not result.success
    print(f"runs recorded in {home} (DAGSTER_HOME)")
    return 1 if failed else 0


def ui() -> int:
    prepare()
    # As `just psql`: Ctrl-C is the child's (dagster dev shuts down cleanly); here it must not end
    # the wait, so the server can be stopped afterwards.
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "dagster", "dev", "-m", "pipeline.definitions"], cwd=REPO_ROOT, check=False
        ).returncode
    finally:
        signal.signal(signal.SIGINT, previous)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.pipeline", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    mat = commands.add_parser("materialize", help="materialize assets headlessly on the development database")
    mat.add_argument("assets", nargs="*", help="asset names (default: the database assets)")
    mat.add_argument(
        "--partition", action="append", help="a partition (YYYY-MM-DD: a day, or a week's Monday); repeatable"
    )
    mat.add_argument("--from", dest="start", help="first partition of a backfill range")
    mat.add_argument("--to", dest="end", help="last partition of a backfill range")
    commands.add_parser("ui", help="serve the Dagster UI (dagster dev)")
    args = parser.parse_args(argv)
    with embedded.leave_as_found(load_settings().data_dir / "postgres"):
        if args.command == "materialize":
            return materialize(args)
        return ui()


if __name__ == "__main__":
    run(main)
