"""The fakes' fixtures (foundation/testing/fakes/fixtures.py) for the external clients' tests."""

from foundation.testing.fakes.fixtures import fake_openai, fake_sheets, fake_slack, logs, sleeps

__all__ = ["fake_openai", "fake_sheets", "fake_slack", "logs", "sleeps"]
