"""Local fakes of the external services' HTTP APIs, for tests and benchmarks: each a real HTTP
server on a loopback port (aiohttp, on a thread of its own) that speaks the service's published
wire format, records every request it receives and can be scripted per test (the next answers:
an error status, a Retry-After, a stall).

    with openai_fake() as fake:        # fake.settings() points ExternalSettings at it
        ...
        fake.fail_next(429, retry_after=2)
        fake.requests[-1].headers["authorization"]
"""

from foundation.testing.fakes.openai import FakeOpenAI, openai_fake
from foundation.testing.fakes.server import Fake, Recorded
from foundation.testing.fakes.sheets import FakeSheets, sheets_fake
from foundation.testing.fakes.slack import FakeSlack, slack_fake

__all__ = [
    "Fake",
    "FakeOpenAI",
    "FakeSheets",
    "FakeSlack",
    "Recorded",
    "openai_fake",
    "sheets_fake",
    "slack_fake",
]
