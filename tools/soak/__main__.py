"""`python -m tools.soak [--duration SECONDS]`, which `just soak` runs."""

from tools.cli import run
from tools.soak.run import main

if __name__ == "__main__":
    run(main)
