from collections.abc import AsyncIterator

import pytest

from database.testing.fixture import T
from product.testing import ProductHarness, product_harness


@pytest.fixture
async def product(t: T) -> AsyncIterator[ProductHarness]:
    async with product_harness(t) as harness:
        yield harness
