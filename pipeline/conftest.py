"""The external services' fakes, for the assets that call them."""

from foundation.testing.fakes.fixtures import fake_openai, fake_sheets, fake_slack

__all__ = ["fake_openai", "fake_sheets", "fake_slack"]
