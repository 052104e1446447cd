"""The breaking-change check against git: the working tree against a ref, and (CI) every step of
HEAD's first-parent history since the baseline commit recorded in `.ci/contract-baseline`.

A step is a commit on that chain against its first parent: a commit made on main, or a whole
branch at the merge commit that brought it in. Only steps that change a contract are read
(`git rev-list -- <contracts>`), so the check stays a few git calls however long history grows.
A step whose commits (those the step brings in) carry a `Breaking-Change: <reason>` trailer is
accepted: its changes are listed, and do not fail the check.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tools.codegen_rpc.breaking import breaking_changes
from tools.codegen_rpc.model import APPS, app_folder

BASELINE_FILE = ".ci/contract-baseline"
TRAILER = "Breaking-Change"


class GitError(Exception):
    """A ref that does not name a commit, or history the check cannot read."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)


def _commit(root: Path, ref: str) -> str:
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if result.returncode != 0:
        raise GitError(f"{ref!r} names no commit here")
    return result.stdout.strip()


def contract_path(app: str) -> str:
    return f"{app_folder(app)}/contract.json"


def contract_at(root: Path, commit: str, app: str) -> dict[str, Any] | None:
    """The app's committed contract at `commit`, or None where the app has none."""
    result = _git(root, "show", f"{commit}:{contract_path(app)}")
    return json.loads(result.stdout) if result.returncode == 0 else None


def changes_between(root: Path, old_commit: str, new: dict[str, dict[str, Any] | None]) -> list[str]:
    lines: list[str] = []
    for app in APPS:
        old = contract_at(root, old_commit, app)
        if old is not None:  # an app new since then has nothing to break
            lines += breaking_changes(app, old, new[app])
    return lines


def check_ref(root: Path, ref: str) -> int:
    """`--breaking REF`: the contracts in the working tree against those committed at REF."""
    try:
        commit = _commit(root, ref)
    except GitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    current = {}
    for app in APPS:
        path = root / contract_path(app)
        current[app] = json.loads(path.read_text()) if path.exists() else None
    lines = changes_between(root, commit, current)
    for line in lines:
        print(line)
    if lines:
        print(f"{len(lines)} breaking change(s) against {ref}", file=sys.stderr)
        return 1
    print("no breaking changes")
    return 0


def read_baseline(root: Path) -> str:
    path = root / BASELINE_FILE
    if not path.exists():
        raise GitError(f"{BASELINE_FILE} is missing: it names the commit the history check starts from")
    words = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
    baseline = next((word for word in words if word), "")
    try:
        commit = _commit(root, baseline) if baseline else ""
    except GitError:
        commit = ""
    if not commit or _git(root, "merge-base", "--is-ancestor", commit, "HEAD").returncode != 0:
        raise GitError(
            f"{BASELINE_FILE}: {baseline or '(empty)'} is not a commit in HEAD's history "
            "(a shallow clone? the check needs full history)"
        )
    return commit


def trailers(root: Path, commit: str) -> list[str]:
    """The `Breaking-Change:` reasons on the commits this step brings in (first parent excluded)."""
    result = _git(root, "log", f"--format=%(trailers:key={TRAILER},valueonly,separator=%x00)", f"{commit}^..{commit}")
    return [reason.strip() for reason in result.stdout.replace("\0", "\n").splitlines() if reason.strip()]


def check_history(root: Path) -> int:
    """`--breaking-history`: every step since the baseline, each against its first parent."""
    try:
        baseline = read_baseline(root)
    except GitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    steps = _git(
        root,
        "rev-list",
        "--first-parent",
        "--reverse",
        f"{baseline}..HEAD",
        "--",
        *(contract_path(app) for app in APPS),
    ).stdout.split()
    failures = accepted = 0
    for commit in steps:
        current = {app: contract_at(root, commit, app) for app in APPS}
        lines = changes_between(root, f"{commit}^", current)
        if not lines:
            continue
        short = commit[:12]
        reasons = trailers(root, commit)
        for line in lines:
            print(f"{short} accepted ({TRAILER}: {'; '.join(reasons)}): {line}" if reasons else f"{short} {line}")
        failures += 0 if reasons else len(lines)
        accepted += len(lines) if reasons else 0
    if failures:
        print(
            f"{failures} breaking change(s) since the baseline {baseline[:12]}. If intended, say so with a "
            f"trailer line `{TRAILER}: <reason>` in the commit that makes them; on main, revert or move the "
            "baseline (README, CI section)",
            file=sys.stderr,
        )
        return 1
    beyond = " beyond the accepted ones" if accepted else ""
    print(f"no breaking changes{beyond} ({len(steps)} contract change(s) since the baseline {baseline[:12]})")
    return 0
