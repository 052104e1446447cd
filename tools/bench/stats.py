"""Summaries for benchmark samples: medians and percentiles, printed side by side."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1_000_000:.0f} µs"


def heading(title: str) -> None:
    print(f"\n## {title}", flush=True)


def row(label: str, *values: str) -> None:
    print(f"  {label:<44}" + "  ".join(f"{v:>14}" for v in values), flush=True)
