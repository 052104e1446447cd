"""The web console's bundle: `python -m tools.web` type-checks panopticon/web/src with `tsc
--strict` and bundles it with esbuild into panopticon/web/static (committed, so `just dev` needs
no Node); `--check` builds into a temporary folder and fails when the committed files differ
(`just lint` and tools/web_test.py run it). The build is deterministic: esbuild's version is
pinned in frontend/package-lock.json, the paths it writes are relative to the repository, and
nothing carries a date.

Node and npm come from the machine (frontend/'s packages are installed with `npm ci` when
missing). Without Node, `--check` says so and passes, except in CI (`CI` set), where it fails."""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from foundation.errors import ConfigurationError
from foundation.settings import REPO_ROOT
from tools.cli import run

FRONTEND = REPO_ROOT / "frontend"
WEB = REPO_ROOT / "panopticon" / "web"
SOURCE = WEB / "src"
STATIC = WEB / "static"
OUTPUTS = ("index.html", "console.js", "console.css")
# The bundle strips comments; the licence notice of what it includes stays (MIT asks for it).
BANNER = "// Blossom panopticon console. Includes qrcode-generator, (c) 2009 Kazuhiko Arase, MIT license."


class NodeMissing(ConfigurationError):
    pass


def node_tools() -> Path:
    """frontend/node_modules/.bin, installed (`npm ci`) when missing or older than the lock file."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise NodeMissing("Node.js 20+ and npm are needed to build the web console (panopticon/web/README.md)")
    marker = FRONTEND / "node_modules" / ".package-lock.json"
    lock = FRONTEND / "package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=FRONTEND,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise ConfigurationError(f"npm ci failed in frontend/:\n{result.stdout}{result.stderr}")
    return FRONTEND / "node_modules" / ".bin"


def _run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise ConfigurationError(f"{Path(command[0]).name} failed:\n{result.stdout}{result.stderr}")


def build(out: Path) -> None:
    """Type-check, then write index.html, console.js and console.css into `out`."""
    bin_dir = node_tools()
    _run([str(bin_dir / "tsc"), "-p", str((WEB / "tsconfig.json").relative_to(REPO_ROOT))])
    out.mkdir(parents=True, exist_ok=True)
    common = ["--bundle", "--charset=utf8", "--legal-comments=none", "--log-level=warning"]
    source = SOURCE.relative_to(REPO_ROOT)  # paths in the bundle's comments: relative, the same everywhere
    _run(
        [
            str(bin_dir / "esbuild"),
            str(source / "main.ts"),
            *common,
            "--format=esm",
            "--target=es2022",
            f"--banner:js={BANNER}",
            f"--outfile={out / 'console.js'}",
        ]
    )
    _run([str(bin_dir / "esbuild"), str(source / "console.css"), *common, f"--outfile={out / 'console.css'}"])
    shutil.copyfile(SOURCE / "index.html", out / "index.html")


def stale() -> list[str]:
    """The committed files that differ from a fresh build (or are missing, or should not be there)."""
    with tempfile.TemporaryDirectory(prefix="blossom-web-") as temp:
        fresh = Path(temp)
        build(fresh)
        names = set(OUTPUTS) | {p.name for p in STATIC.iterdir()} if STATIC.exists() else set(OUTPUTS)
        return sorted(
            name
            for name in names
            if not (fresh / name).exists()
            or not (STATIC / name).exists()
            or not filecmp.cmp(fresh / name, STATIC / name, shallow=False)
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.web", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when panopticon/web/static is stale")
    args = parser.parse_args(argv)
    if not args.check:
        build(STATIC)
        print(f"built {', '.join(OUTPUTS)} in {STATIC.relative_to(REPO_ROOT)}")
        return 0
    try:
        differing = stale()
    except NodeMissing as missing:
        if os.environ.get("CI"):
            raise
        print(f"web console bundle not checked: {missing}")
        return 0
    if differing:
        print(f"panopticon/web/static is stale ({', '.join(differing)}): run `uv run just web` and commit the result")
        return 1
    print("panopticon/web/static is up to date")
    return 0


if __name__ == "__main__":
    run(main)
