"""Benchmarks that print figures (never timed assertions): `just bench` runs them all."""
