"""`just bench`: every benchmark, figures printed side by side. Nothing here asserts a speed."""

import sys

from database import embedded
from database.testing.harness import cluster_dir_for_tests
from tools.bench import (
    assistant,
    audit,
    database,
    external,
    graph,
    lifecycle,
    panopticon,
    pieces,
    pipeline,
    product,
    queries,
    rpc,
    scaleout,
    serving,
)

SUITES = {
    "database": database.run_all,
    "queries": queries.run_all,
    "rpc": rpc.run_all,
    "product": product.run_all,
    "lifecycle": lifecycle.run_all,
    "pieces": pieces.run_all,
    "external": external.run_all,
    "serving": serving.run_all,
    "scaleout": scaleout.run_all,
    "pipeline": pipeline.run_all,
    "assistant": assistant.run_all,
    "audit": audit.run_all,
    "graph": graph.run_all,
    "panopticon": panopticon.run_all,
}


def main() -> None:
    """`python -m tools.bench [suite ...]`: every suite, or only those named."""
    chosen = sys.argv[1:] or list(SUITES)
    unknown = [name for name in chosen if name not in SUITES]
    if unknown:
        raise SystemExit(f"unknown suite {unknown}; choose from {list(SUITES)}")
    print("Blossom benchmarks (figures vary with machine load; compare rows measured in the same run)")
    with embedded.leave_as_found(cluster_dir_for_tests()):  # stop the test cluster if we started it
        for name in chosen:
            SUITES[name]()


if __name__ == "__main__":
    main()
