"""Test doubles that need nothing above foundation (the database harness lives in database.testing)."""

from foundation.testing.clock import ManualClock

__all__ = ["ManualClock"]
