from collections.abc import AsyncIterator

import pytest

from database.testing.fixture import T
from foundation.external.openai import OpenAIClient
from foundation.external.retry import RetryPolicy
from foundation.external.settings import load_external_settings
from foundation.testing.fakes.fixtures import fake_openai  # noqa: F401
from foundation.testing.fakes.openai import FakeOpenAI
from product.testing import ProductHarness, product_harness


@pytest.fixture
async def product(t: T, fake_openai: FakeOpenAI) -> AsyncIterator[ProductHarness]:  # noqa: F811
    """The product app whose assistant talks to the fake OpenAI server through the real SDK (one
    attempt per call: a test's scripted failure is not retried away)."""
    client = OpenAIClient(load_external_settings(fake_openai.settings()), retry=RetryPolicy(max_attempts=1))
    async with product_harness(t, openai=client) as harness:
        yield harness
    await client.close()
