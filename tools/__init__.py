"""Developer commands, run as `python -m tools.<name>` (the justfile is their front door)."""
